#include "error.hpp"

namespace kseg {

std::string location_format(const std::string& file, long long line, long long column, const std::string& message) {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (line > 0 && column > 0) out += ":" + std::to_string(column);
  return out + ": " + message;
}

}  // namespace kseg
