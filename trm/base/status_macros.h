// Status propagation helpers (Abseil 20220623 has StatusOr but no macros for it).
#ifndef TRM_BASE_STATUS_MACROS_H_
#define TRM_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TRM_STATUS_CONCAT_INNER_(a, b) a##b
#define TRM_STATUS_CONCAT_(a, b) TRM_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define TRM_RETURN_IF_ERROR(expr)                        \
  do {                                                   \
    ::absl::Status trm_status_ = (expr);                 \
    if (!trm_status_.ok()) return trm_status_;           \
  } while (0)

// `TRM_ASSIGN_OR_RETURN(auto x, MakeX());` unwraps an absl::StatusOr or returns its error.
#define TRM_ASSIGN_OR_RETURN(lhs, expr) \
  TRM_ASSIGN_OR_RETURN_IMPL_(TRM_STATUS_CONCAT_(trm_statusor_, __LINE__), lhs, expr)
#define TRM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // TRM_BASE_STATUS_MACROS_H_
