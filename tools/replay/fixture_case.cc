#include "tools/replay/fixture_case.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "trm/base/file_util.h"
#include "trm/base/status_macros.h"

namespace trm::parity {
namespace {

using nlohmann::json;
namespace pb = google::protobuf;

Tolerance ToleranceFrom(const json& j) {
  return Tolerance{j.value("atol", 0.0), j.value("rtol", 0.0)};
}

template <typename T>
std::vector<T> ListOr(const json& parent, const char* key) {
  if (!parent.contains(key)) return {};
  return parent.at(key).get<std::vector<T>>();
}

}  // namespace

absl::StatusOr<json> ReadJsonFile(const std::string& path) {
  TRM_ASSIGN_OR_RETURN(const std::string text, ReadFileToString(path));
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
  }
}

absl::StatusOr<std::string> ArchitectureFromModelClass(const std::string& model_class) {
  std::string module = model_class.substr(0, model_class.find('@'));
  module = module.substr(module.rfind('.') + 1);
  if (module == "transformers_baseline") return std::string("transformer_baseline");
  for (const char* known : {"trm", "hrm", "transformer_baseline", "trm_singlez", "trm_hier6"}) {
    if (module == known) return module;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown model class '", model_class, "'"));
}

absl::Status ArchConfigFromJson(const json& object, config::ArchConfig* config) {
  if (!object.is_object()) return absl::InvalidArgumentError("config: not a JSON object");
  const pb::Descriptor* descriptor = config->GetDescriptor();
  const pb::Reflection* reflection = config->GetReflection();
  for (const auto& [key, value] : object.items()) {
    if (key == "causal") continue;
    const pb::FieldDescriptor* field = descriptor->FindFieldByName(key);
    if (field == nullptr || field->is_repeated()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config.", key, ": not an architecture field"));
    }
    try {
      switch (field->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_INT32:
          reflection->SetInt32(config, field, value.get<int32_t>());
          break;
        case pb::FieldDescriptor::CPPTYPE_DOUBLE:
          reflection->SetDouble(config, field, value.get<double>());
          break;
        case pb::FieldDescriptor::CPPTYPE_BOOL:
          reflection->SetBool(config, field, value.get<bool>());
          break;
        case pb::FieldDescriptor::CPPTYPE_STRING:
          reflection->SetString(config, field, value.get<std::string>());
          break;
        default:
          return absl::InvalidArgumentError(absl::StrCat("config.", key, ": unsupported type"));
      }
    } catch (const json::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat("config.", key, ": ", e.what()));
    }
  }
  return absl::OkStatus();
}

json ArchConfigToJson(const config::ArchConfig& config) {
  json object = json::object();
  const pb::Descriptor* descriptor = config.GetDescriptor();
  const pb::Reflection* reflection = config.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor->field(i);
    if (field->name() == "name") continue;
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        object[field->name()] = reflection->GetInt32(config, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        object[field->name()] = reflection->GetDouble(config, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        object[field->name()] = reflection->GetBool(config, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        object[field->name()] = reflection->GetString(config, field);
        break;
      default:
        break;
    }
  }
  return object;
}

absl::StatusOr<ModelCase> LoadModelCase(const std::string& dir) {
  const std::string path = dir + "/case.json";
  TRM_ASSIGN_OR_RETURN(const json root, ReadJsonFile(path));
  ModelCase c;
  c.dir = dir;
  auto error = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
  };
  try {
    c.name = root.value("name", dir);
    if (root.contains("architecture")) {
      c.architecture = root.at("architecture").get<std::string>();
    } else if (root.contains("model_class")) {
      absl::StatusOr<std::string> arch =
          ArchitectureFromModelClass(root.at("model_class").get<std::string>());
      if (!arch.ok()) return error(std::string(arch.status().message()));
      c.architecture = *arch;
    } else {
      return error("neither 'architecture' nor 'model_class': not a model case");
    }
    if (absl::Status s = ArchConfigFromJson(root.at("config"), &c.arch); !s.ok()) {
      return error(std::string(s.message()));
    }
    c.arch.set_name(c.architecture);
    // "models.losses@ACTLossHead(loss_type='stablemax_cross_entropy')"
    const std::string head = root.value("loss_head", std::string());
    c.loss.set_name("act_loss_head");
    for (const char* type : {"softmax_cross_entropy", "stablemax_cross_entropy"}) {
      if (absl::StrContains(head, type)) c.loss.set_loss_type(type);
    }
    c.n_steps = root.at("n_steps").get<int>();
    if (c.n_steps < 1) return error("n_steps must be at least 1");

    const json& tolerances = root.at("tolerances");
    const json& f32 = tolerances.at("float32");
    c.tolerances.logits = ToleranceFrom(f32.at("logits"));
    c.tolerances.q_logits =
        ToleranceFrom(f32.at("q_halt_logits/q_continue_logits/target_q_continue"));
    c.tolerances.final_carry = ToleranceFrom(f32.at("final_carry_z_H_z_L"));
    c.tolerances.loss_and_metrics = ToleranceFrom(f32.at("loss_and_float_metrics"));
    c.tolerances.grad_atol_rel = f32.at("grads").at("atol_rel").get<double>();
    if (tolerances.contains("bfloat16")) {
      const json& bf16 = tolerances.at("bfloat16");
      c.tolerances.bf16_logits_atol =
          ListOr<double>(bf16.at("logits_vs_eval_bf16_logits_per_step"), "atol");
      c.tolerances.bf16_q_logits_atol = ListOr<double>(bf16.at("q_logits_per_step"), "atol");
    }
    const json& fragile = root.at("measured").at("fragile_argmax_positions");
    c.tolerances.fragile_eval_per_step = ListOr<int64_t>(fragile, "eval_per_step_all_positions");
    c.tolerances.fragile_train_per_step = ListOr<int64_t>(fragile, "train_per_step_all_positions");
  } catch (const json::exception& e) {
    return error(e.what());
  }
  return c;
}

}  // namespace trm::parity
