// kseg.profile_build's binding: behavioural profiles from an event log, as `kseg profile-build` builds them. The
// request dict (the CLI's options, '-' written '_') maps onto a ProfileBuildRequest; the products stay in a handle so
// that write() gives the CLI's files byte for byte.
#include "profile_build_module.hpp"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "app/profile_build_outputs.hpp"
#include "app/profile_progress.hpp"
#include "host/error.hpp"
#include "host/events/profile_build.hpp"
#include "segmenter_common.hpp"

namespace nb = nanobind;

namespace kseg {
namespace {

// A build's products, kept in the Python object for write().
struct ProfileBuildHandle {
  ProfileBuildProducts products;
  std::string events_path;  // "" for an in-memory log
};

template <class T>
T request_value(const nb::dict& request, const char* key) {
  KSEG_EXPECTS(request.contains(key), UsageError, std::string("profile_build: no value for ") + key);
  try {
    return nb::cast<T>(request[key]);
  } catch (const nb::cast_error&) {
    throw UsageError(std::string("profile_build: ") + key + " has the wrong type (" +
                     nb::cast<std::string>(nb::str(request[key].type())) + ")");
  }
}

// The settings from the request dict, or from the spec's text when one is given (the Python side refuses settings
// beside a spec, as the CLI does).
ProfileBuildRequest request_from(const nb::dict& d) {
  ProfileBuildRequest r;
  const std::string spec = request_value<std::string>(d, "spec_text");
  if (!spec.empty()) {
    r = profile_spec_parse(spec, request_value<std::string>(d, "spec_name"));
  } else {
    r.user_column = request_value<std::string>(d, "user_column");
    r.time_column = request_value<std::string>(d, "time_column");
    r.amount_column = request_value<std::string>(d, "amount_column");
    r.category_column = request_value<std::string>(d, "category_column");
    r.windows = request_value<std::vector<int>>(d, "windows");
    r.max_categories = request_value<int>(d, "max_categories");
    const std::string share = request_value<std::string>(d, "category_share");
    KSEG_EXPECTS(share == "events" || share == "amount", UsageError,
                 "category_share: expected \"events\" or \"amount\", got \"" + share + "\"");
    r.category_share_amount = share == "amount";
    r.last_columns = request_value<std::vector<std::string>>(d, "last");
    r.mode_columns = request_value<std::vector<std::string>>(d, "mode");
    r.rfm_scores = request_value<bool>(d, "rfm_scores");
    const std::string families = request_value<std::string>(d, "families");
    if (!families.empty()) {
      r.families = profile_families_parse(families);
      KSEG_EXPECTS(!r.families.categories || !r.category_column.empty(), UsageError,
                   "families: categories needs category_column");
    }
    const std::string delimiter = request_value<std::string>(d, "delimiter");
    KSEG_EXPECTS(delimiter.size() == 1, UsageError, "delimiter: one character, e.g. \",\" or \";\"");
    r.delimiter = delimiter[0];
  }
  r.as_of = request_value<std::string>(d, "as_of");
  r.threads = request_value<int>(d, "n_threads");
  return r;
}

// Moves what the printer wrote into lines to sys.stderr (as it comes, not after the build: the GIL is taken for it).
void stderr_write(std::ostringstream& lines) {
  if (lines.tellp() <= 0) return;
  nb::gil_scoped_acquire held;
  const nb::object err = nb::module_::import_("sys").attr("stderr");
  if (!err.is_none()) {  // none under pythonw: the lines are dropped
    err.attr("write")(lines.str());
    err.attr("flush")();
  }
  lines.str("");
}

// The users table of the log at source (a path, or an object with __arrow_c_stream__) as columns: ids (list of str),
// numeric columns (float64 arrays, NaN = empty), categorical columns (lists of str), the spec's text and the handle.
nb::dict profile_build_py(const nb::handle& source, const nb::dict& request_dict) {
  ProfileBuildRequest request = request_from(request_dict);
  if (nb::isinstance<nb::str>(source)) {
    request.events_path = nb::cast<std::string>(source);
  } else {
    request.events_stream = stream_reader(source);
    request.events_path = "the table";
  }
  // verbose: the CLI's progress lines on sys.stderr (there is no writing line: write() comes later).
  std::ostringstream lines;
  ProfileProgressPrinter progress(lines, !request_value<bool>(request_dict, "verbose"), request.events_path);
  if (const ProfileProgressSink print = progress.sink())
    request.progress = [&lines, print](const ProfileProgress& p) {
      print(p);
      stderr_write(lines);
    };
  auto handle = std::make_unique<ProfileBuildHandle>();
  {
    nb::gil_scoped_release released;
    handle->products = profile_build(request);
  }
  progress.done(handle->products);
  stderr_write(lines);
  handle->events_path = request.events_stream ? "" : request.events_path;
  ProfileTable& t = handle->products.users;
  nb::dict out;
  out["id_name"] = t.id_name;
  out["ids"] = nb::cast(t.ids);
  out["numeric_names"] = nb::cast(t.numeric_names);
  nb::list numeric;
  for (const std::vector<double>& column : t.numeric) numeric.append(array_own(std::vector<double>(column)));
  out["numeric"] = numeric;
  out["categorical_names"] = nb::cast(t.categorical_names);
  nb::list categorical;
  for (const std::vector<std::string>& column : t.categorical) categorical.append(nb::cast(column));
  out["categorical"] = categorical;
  out["spec"] = profile_spec_text(handle->products);
  out["handle"] = nb::cast(handle.release(), nb::rv_policy::take_ownership);
  return out;
}

void profile_build_handle_write(const ProfileBuildHandle& handle, const std::string& users_path) {
  profile_build_outputs_check(handle.events_path, users_path);
  nb::gil_scoped_release released;
  profile_build_outputs_write(handle.products, users_path);
}

}  // namespace

void profile_build_bind(nb::module_& m) {
  nb::class_<ProfileBuildHandle>(m, "ProfileBuildProducts");
  m.def("profile_build", &profile_build_py, nb::arg("source"), nb::arg("request"));
  m.def("profile_build_write", &profile_build_handle_write, nb::arg("products"), nb::arg("users_path"));
}

}  // namespace kseg
