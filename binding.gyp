# The native RS2 encoder (core/walrus/encoding/native) and gear-hash chunker
# (core/repo/native). npm runs `node-gyp rebuild` for a root binding.gyp at install; the
# output is build/Release/floe_rs2.node. SIMD code is
# compiled per function for its instruction set and picked at run time, so the build
# itself targets the baseline CPU and runs everywhere.
{
  "targets": [
    {
      "target_name": "floe_rs2",
      "sources": [
        "core/walrus/encoding/native/addon.cc",
        "core/walrus/encoding/native/blake2b.cc",
        "core/walrus/encoding/native/blake2b_avx2.cc",
        "core/walrus/encoding/native/blake2b_avx512.cc",
        "core/walrus/encoding/native/cpu_features.cc",
        "core/walrus/encoding/native/fft_avx2.cc",
        "core/walrus/encoding/native/fft_avx512.cc",
        "core/walrus/encoding/native/fft_neon.cc",
        "core/walrus/encoding/native/fft_scalar.cc",
        "core/walrus/encoding/native/fft_ssse3.cc",
        "core/walrus/encoding/native/gf16.cc",
        "core/walrus/encoding/native/merkle.cc",
        "core/walrus/encoding/native/reed_solomon.cc",
        "core/walrus/encoding/native/rs2_blob_encoder.cc",
        "core/walrus/encoding/native/sliver_root.cc",
        "core/repo/native/gear_cutter_binding.cc"
      ],
      "include_dirs": ["core", "<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fvisibility=hidden"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "3",
        "MACOSX_DEPLOYMENT_TARGET": "10.15"
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] }
      }
    }
  ]
}
