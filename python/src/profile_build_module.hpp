// The profile-build binding of kseg._kseg (kseg.profile_build).
#pragma once

#include <nanobind/nanobind.h>

namespace kseg {

// Adds profile_build, profile_build_write and the ProfileBuildProducts class to m.
void profile_build_bind(nanobind::module_& m);

}  // namespace kseg
