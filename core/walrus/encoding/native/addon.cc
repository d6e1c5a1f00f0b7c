// Node binding of the RS2 encoder (and the entry point of the whole addon, which also
// carries the repository's gear-hash chunker: one native module to build and load). The caller allocates every output buffer (without
// zero-filling: every byte is written here) and the encoder fills them. `encode` runs on
// the calling thread (Floe calls it from its codec worker threads); `encodeAsync` runs on
// libuv's thread pool for callers on the main thread.
#include <napi.h>

#include <exception>
#include <string>
#include <vector>

#include "cpu_features.h"
#include "repo/native/gear_cutter_binding.h"
#include "rs2_blob_encoder.h"
#include "sliver_root.h"

namespace {

using floe::SimdLevel;
namespace rs2 = floe::rs2;

struct Request {
  rs2::BlobLayout layout;
  SimdLevel level;
  const uint8_t* blob;
  size_t blob_length;
  std::vector<uint8_t*> primary, secondary;
  uint8_t* pair_hashes;
  uint8_t* root_hash;
  uint8_t* blob_id;

  rs2::EncodedBlobBuffers outputs() {
    return {primary.data(), secondary.data(), pair_hashes, root_hash, blob_id};
  }
};

uint8_t* bytes_of(Napi::Env env, Napi::Value value, size_t length, const char* what) {
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      value.As<Napi::Uint8Array>().ByteLength() != length) {
    throw Napi::RangeError::New(
        env, std::string(what) + " must be a Uint8Array of " + std::to_string(length) + " bytes");
  }
  return value.As<Napi::Uint8Array>().Data();
}

std::vector<uint8_t*> slivers_of(Napi::Env env, Napi::Value value, uint32_t n, size_t length,
                                 const char* what) {
  if (!value.IsArray() || value.As<Napi::Array>().Length() != n) {
    throw Napi::RangeError::New(env, std::string(what) + " must be an array of one buffer a shard");
  }
  Napi::Array array = value.As<Napi::Array>();
  std::vector<uint8_t*> out(n);
  for (uint32_t i = 0; i < n; i++) out[i] = bytes_of(env, array.Get(i), length, what);
  return out;
}

// (nShards: number, data: Uint8Array, simd: string,
//  out: { primary: Uint8Array[], secondary: Uint8Array[], pairHashes, rootHash, blobId })
Request parse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array || !info[2].IsString() ||
      !info[3].IsObject()) {
    throw Napi::TypeError::New(
        env, "expected (nShards: number, data: Uint8Array, simd: string, out: object)");
  }
  Request r;
  const double n = info[0].As<Napi::Number>().DoubleValue();
  Napi::Uint8Array data = info[1].As<Napi::Uint8Array>();
  r.blob = data.Data();
  r.blob_length = data.ByteLength();
  std::string error = "nShards must be an integer";
  if (n != static_cast<double>(static_cast<uint32_t>(n)) ||
      !rs2::plan_blob(static_cast<uint32_t>(n), r.blob_length, &r.layout, &error)) {
    throw Napi::RangeError::New(env, error);
  }
  const std::string simd = info[2].As<Napi::String>().Utf8Value();
  if (!floe::parse_simd_level(simd, &r.level) || !floe::simd_level_supported(r.level)) {
    throw Napi::RangeError::New(env, "this CPU does not support SIMD level " + simd);
  }
  Napi::Object out = info[3].As<Napi::Object>();
  const uint32_t shards = r.layout.n_shards;
  r.primary = slivers_of(env, out.Get("primary"), shards, r.layout.primary_bcs_bytes, "primary");
  r.secondary =
      slivers_of(env, out.Get("secondary"), shards, r.layout.secondary_bcs_bytes, "secondary");
  r.pair_hashes =
      bytes_of(env, out.Get("pairHashes"), shards * 2 * rs2::kDigestBytes, "pairHashes");
  r.root_hash = bytes_of(env, out.Get("rootHash"), rs2::kDigestBytes, "rootHash");
  r.blob_id = bytes_of(env, out.Get("blobId"), rs2::kDigestBytes, "blobId");
  return r;
}

Napi::Value Encode(const Napi::CallbackInfo& info) {
  Request r = parse(info);
  try {
    rs2::encode_blob(r.layout, r.blob, r.blob_length, r.outputs(), r.level);
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("RS2 encoding failed: ") + e.what());
  }
  return info.Env().Undefined();
}

class EncodeWorker : public Napi::AsyncWorker {
 public:
  EncodeWorker(const Napi::CallbackInfo& info, Request request)
      : Napi::AsyncWorker(info.Env(), "floe:rs2-encode"),
        deferred_(Napi::Promise::Deferred::New(info.Env())),
        request_(std::move(request)),
        // The input and the outputs stay alive while the pool thread uses their memory.
        data_(Napi::Persistent(info[1].As<Napi::Object>())),
        out_(Napi::Persistent(info[3].As<Napi::Object>())) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      rs2::encode_blob(request_.layout, request_.blob, request_.blob_length, request_.outputs(),
                       request_.level);
    } catch (const std::exception& e) {
      SetError(std::string("RS2 encoding failed: ") + e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Request request_;
  Napi::ObjectReference data_, out_;
};

Napi::Value EncodeAsync(const Napi::CallbackInfo& info) {
  auto* worker = new EncodeWorker(info, parse(info));
  Napi::Promise promise = worker->promise();
  worker->Queue();  // The worker deletes itself once it has settled the promise.
  return promise;
}

// (nShards: number, sourceCount: number, symbolSize: number, symbols: Uint8Array,
//  simd: string) => Uint8Array(32): the sliver's Merkle root, on the calling thread (a
// sliver is at most a few megabytes: microseconds to milliseconds).
Napi::Value SliverRoot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto whole = [&](size_t i) {
    if (!info[i].IsNumber()) return -1.0;
    const double v = info[i].As<Napi::Number>().DoubleValue();
    return v == static_cast<double>(static_cast<uint32_t>(v)) ? v : -1.0;
  };
  if (info.Length() < 5 || whole(0) < 0 || whole(1) < 0 || whole(2) < 0 ||
      !info[3].IsTypedArray() ||
      info[3].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array || !info[4].IsString()) {
    throw Napi::TypeError::New(env,
                               "expected (nShards, sourceCount, symbolSize: whole numbers, "
                               "symbols: Uint8Array, simd: string)");
  }
  const auto n = static_cast<uint32_t>(whole(0));
  const auto k = static_cast<size_t>(whole(1));
  const auto symbol_size = static_cast<size_t>(whole(2));
  Napi::Uint8Array symbols = info[3].As<Napi::Uint8Array>();
  if (n < 4 || n > 65535 || k == 0 || k >= n || symbol_size == 0 || symbol_size % 2 != 0 ||
      symbol_size > rs2::kMaxSymbolSize || symbols.ByteLength() != k * symbol_size) {
    throw Napi::RangeError::New(env, "the sliver's shape does not fit the shard count");
  }
  SimdLevel level;
  const std::string simd = info[4].As<Napi::String>().Utf8Value();
  if (!floe::parse_simd_level(simd, &level) || !floe::simd_level_supported(level)) {
    throw Napi::RangeError::New(env, "this CPU does not support SIMD level " + simd);
  }
  Napi::Uint8Array root = Napi::Uint8Array::New(env, rs2::kDigestBytes);
  try {
    rs2::sliver_root(n, k, symbol_size, symbols.Data(), root.Data(), level);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string("sliver hashing failed: ") + e.what());
  }
  return root;
}

// SIMD levels this CPU supports, best first.
Napi::Value SimdLevels(const Napi::CallbackInfo& info) {
  Napi::Array levels = Napi::Array::New(info.Env());
  uint32_t i = 0;
  for (SimdLevel level : {SimdLevel::kAvx512, SimdLevel::kAvx2, SimdLevel::kSsse3,
                          SimdLevel::kNeon, SimdLevel::kScalar}) {
    if (floe::simd_level_supported(level)) levels.Set(i++, floe::simd_level_name(level));
  }
  return levels;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("encode", Napi::Function::New(env, Encode, "encode"));
  exports.Set("encodeAsync", Napi::Function::New(env, EncodeAsync, "encodeAsync"));
  exports.Set("sliverRoot", Napi::Function::New(env, SliverRoot, "sliverRoot"));
  exports.Set("simdLevels", Napi::Function::New(env, SimdLevels, "simdLevels"));
  floe::repo::register_gear_cutter(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(floe_rs2, Init)
