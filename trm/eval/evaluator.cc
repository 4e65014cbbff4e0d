#include "trm/eval/evaluator.h"

namespace trm {

TRM_DEFINE_REGISTRY(EvaluatorRegistry, "evaluators", Evaluator, const config::EvaluatorConfig&,
                    const EvaluatorContext&);

}  // namespace trm
