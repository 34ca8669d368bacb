// Include ldns through this header. Without <stdbool.h> first, ldns/common.h defines the macros
// `bool`, `true` and `false` in C++ too, which breaks the standard library headers that follow
// (for example std::optional's operator<=>).
#pragma once

#include <stdbool.h>  // NOLINT(modernize-deprecated-headers): defines __bool_true_false_are_defined

#include <ldns/ldns.h>
