// Node binding of GearCutter: `new GearCutter(table: Uint32Array(256), minSize, avgSize,
// maxSize)` and `cutter.find(data: Uint8Array, from, end) => number`, one object per
// stream, as core/repo/chunker.ts's TypeScript cutter. Sizes are checked there; here only
// what would make the C++ read out of bounds.
#include "gear_cutter_binding.h"

#include <cmath>
#include <memory>

#include "gear_cutter.h"

namespace floe {
namespace repo {
namespace {

bool whole(const Napi::Value& v, double max, double* out) {
  if (!v.IsNumber()) return false;
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= max) || std::floor(d) != d) return false;
  *out = d;
  return true;
}

class GearCutterObject : public Napi::ObjectWrap<GearCutterObject> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "GearCutter", {InstanceMethod("find", &GearCutterObject::Find)});
  }

  explicit GearCutterObject(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<GearCutterObject>(info) {
    Napi::Env env = info.Env();
    double min = 0, avg = 0, max = 0;
    if (info.Length() < 4 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array ||
        info[0].As<Napi::Uint32Array>().ElementLength() != 256 ||
        !whole(info[1], 1u << 30, &min) || !whole(info[2], 1u << 30, &avg) ||
        !whole(info[3], 1u << 30, &max)) {
      throw Napi::TypeError::New(
          env, "expected (table: Uint32Array(256), minSize, avgSize, maxSize: whole numbers)");
    }
    const auto avg_size = static_cast<size_t>(avg);
    unsigned bits = 0;
    while ((size_t{1} << bits) < avg_size) bits++;
    if (!(min > 0 && min < avg && avg < max) || (size_t{1} << bits) != avg_size || bits < 2 ||
        bits > 29) {
      throw Napi::RangeError::New(env, "chunk sizes must satisfy 0 < min < avg < max, avg 2^k");
    }
    cutter_ = std::make_unique<GearCutter>(info[0].As<Napi::Uint32Array>().Data(),
                                           static_cast<size_t>(min), avg_size,
                                           static_cast<size_t>(max), bits);
  }

 private:
  Napi::Value Find(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    double from = 0, end = 0;
    if (info.Length() < 3 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(env, "expected (data: Uint8Array, from, end: whole numbers)");
    }
    Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
    const double length = static_cast<double>(data.ByteLength());
    if (!whole(info[1], length, &from) || !whole(info[2], length, &end) || from > end) {
      throw Napi::RangeError::New(env, "from and end must satisfy 0 <= from <= end <= length");
    }
    const int64_t cut =
        cutter_->find(data.Data(), static_cast<size_t>(from), static_cast<size_t>(end));
    return Napi::Number::New(env, static_cast<double>(cut));
  }

  std::unique_ptr<GearCutter> cutter_;
};

}  // namespace

void register_gear_cutter(Napi::Env env, Napi::Object exports) {
  exports.Set("GearCutter", GearCutterObject::Define(env));
}

}  // namespace repo
}  // namespace floe
