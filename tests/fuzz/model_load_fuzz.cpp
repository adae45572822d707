// libFuzzer target: the model loader (JSON, format and version, preparation, sizes, finite values) on arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "host/error.hpp"
#include "host/model/model_file.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = kseg::fuzz::input_file(data, size, ".json");
  try {
    const kseg::Model model = kseg::model_load(path);
    // A loaded model is consistent: k × d finite centroids.
    if (static_cast<int64_t>(model.centroids.size()) != model.n_clusters * model.pipeline.n_features())
      __builtin_trap();
  } catch (const kseg::DataError&) {
  } catch (const kseg::UsageError&) {
  }
  return 0;
}
