#include "trm/config/experiment_loader.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "trm/base/paths.h"
#include "trm/base/status_macros.h"
#include "trm/base/strings.h"

namespace trm::config {
namespace fs = std::filesystem;
using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

std::vector<std::string> ExperimentDirs(const std::string& argv0) {
  std::vector<std::string> dirs;
  if (std::string root = WorkspaceRoot(); !root.empty()) dirs.push_back(root + "/experiments");
  std::string error;
  std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles(
      argv0.empty() ? bazel::tools::cpp::runfiles::Runfiles::CreateForTest(&error)
                    : bazel::tools::cpp::runfiles::Runfiles::Create(argv0, &error));
  if (runfiles != nullptr) dirs.push_back(runfiles->Rlocation("trm/experiments"));
  dirs.push_back("experiments");
  return dirs;
}

std::vector<std::string> FieldNames(const Descriptor* descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->field_count(); ++i) names.push_back(descriptor->field(i)->name());
  return names;
}

std::string UnknownFieldMessage(const Descriptor* descriptor, const std::string& name) {
  std::vector<std::string> names = FieldNames(descriptor);
  std::string hint = DidYouMean(name, names);
  if (hint.empty()) hint = absl::StrCat("; its fields are: ", absl::StrJoin(names, ", "));
  return absl::StrCat(descriptor->name(), " has no field '", name, "'", hint);
}

// Adds "did you mean" to protobuf's `Message type "X" has no field named "y".` errors.
class OneLineErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  OneLineErrorCollector(std::string filename, const Descriptor* root)
      : filename_(std::move(filename)), root_(root) {}

  void AddError(int line, int column, const std::string& message) override {
    if (!first_error_.empty()) return;
    std::string text = message;
    const std::string kMarker = "has no field named \"";
    if (size_t at = text.find(kMarker); at != std::string::npos) {
      const size_t start = at + kMarker.size();
      const std::string field = text.substr(start, text.find('"', start) - start);
      const size_t type_start = text.find('"') + 1;
      const std::string type = text.substr(type_start, text.find('"', type_start) - type_start);
      if (const Descriptor* d = root_->file()->pool()->FindMessageTypeByName(type)) {
        text = UnknownFieldMessage(d, field);
      }
    }
    first_error_ = absl::StrCat(filename_, ":", line + 1, ":", column + 1, ": ", text);
  }

  const std::string& first_error() const { return first_error_; }

 private:
  std::string filename_;
  const Descriptor* root_;
  std::string first_error_;
};

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// An override path split on the dots outside brackets (extension names contain dots).
std::vector<std::string> SplitFieldPath(const std::string& path) {
  std::vector<std::string> tokens;
  std::string current;
  int depth = 0;
  for (char c : path) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == '.' && depth == 0) {
      tokens.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  tokens.push_back(current);
  return tokens;
}

// One step of an override path: a field, optionally indexed.
struct PathStep {
  const FieldDescriptor* field = nullptr;
  int index = -1;  // -1: no index
};

absl::StatusOr<PathStep> ResolveStep(const std::string& token, const Message& message) {
  const Descriptor* descriptor = message.GetDescriptor();
  std::string name = token;
  PathStep step;
  if (absl::StartsWith(token, "[")) {
    // Extension: [full.name]
    const std::string ext_name(absl::StripSuffix(absl::StripPrefix(token, "["), "]"));
    step.field = message.GetReflection()->FindKnownExtensionByName(ext_name);
    if (step.field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(descriptor->name(), " has no extension '",
                                                     ext_name, "' (is its plugin loaded?)"));
    }
    return step;
  }
  if (size_t bracket = token.find('['); bracket != std::string::npos) {
    if (!absl::EndsWith(token, "]") ||
        !absl::SimpleAtoi(token.substr(bracket + 1, token.size() - bracket - 2), &step.index) ||
        step.index < 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad index in '", token, "'"));
    }
    name = token.substr(0, bracket);
  }
  step.field = descriptor->FindFieldByName(name);
  if (step.field == nullptr)
    return absl::InvalidArgumentError(UnknownFieldMessage(descriptor, name));
  if (step.index >= 0 && !step.field->is_repeated()) {
    return absl::InvalidArgumentError(
        absl::StrCat(descriptor->name(), ".", name, " is not repeated; it cannot be indexed"));
  }
  return step;
}

std::string TypeName(const FieldDescriptor* field) {
  if (field->type() == FieldDescriptor::TYPE_MESSAGE) return field->message_type()->name();
  return field->type_name();
}

// Sets one scalar (or appends when `append`) from its text spelling.
absl::Status SetScalar(Message* message, const FieldDescriptor* field, const std::string& raw,
                       bool append, int index) {
  const Reflection* r = message->GetReflection();
  const std::string value(absl::StripAsciiWhitespace(raw));
  auto bad = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat("'", value, "' is not a valid ", TypeName(field), " for ", field->name()));
  };
#define TRM_SET_(Type, parsed)                           \
  if (append) {                                          \
    r->Add##Type(message, field, parsed);                \
  } else if (index >= 0) {                               \
    r->SetRepeated##Type(message, field, index, parsed); \
  } else {                                               \
    r->Set##Type(message, field, parsed);                \
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad();
      TRM_SET_(Int32, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad();
      TRM_SET_(Int64, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad();
      TRM_SET_(UInt32, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad();
      TRM_SET_(UInt64, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(value, &v)) return bad();
      TRM_SET_(Double, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float v;
      if (!absl::SimpleAtof(value, &v)) return bad();
      TRM_SET_(Float, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!absl::SimpleAtob(value, &v)) return bad();
      TRM_SET_(Bool, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v = value;
      if (v.size() >= 2 &&
          ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\''))) {
        v = v.substr(1, v.size() - 2);
      }
      TRM_SET_(String, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumValueDescriptor* e = field->enum_type()->FindValueByName(value);
      int number;
      if (e == nullptr && absl::SimpleAtoi(value, &number)) {
        e = field->enum_type()->FindValueByNumber(number);
      }
      if (e == nullptr) return bad();
      TRM_SET_(Enum, e);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return absl::InternalError("SetScalar on a message field");
  }
#undef TRM_SET_
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> FindConfigFile(const std::string& name_or_path,
                                           const std::string& subfolder, const std::string& kind,
                                           const std::string& argv0) {
  std::error_code ec;
  const std::string as_path = ResolveUserPath(name_or_path);
  if (fs::is_regular_file(as_path, ec)) return as_path;
  std::vector<std::string> known;
  for (const std::string& experiments : ExperimentDirs(argv0)) {
    const fs::path dir = subfolder.empty() ? fs::path(experiments) : fs::path(experiments) / subfolder;
    const fs::path candidate = dir / (name_or_path + ".textproto");
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".textproto") known.push_back(it->path().stem().string());
    }
  }
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  return absl::NotFoundError(absl::StrCat("unknown ", kind, " '", name_or_path, "'",
                                          DidYouMean(name_or_path, known), "; known ", kind,
                                          "s: ", known.empty() ? "none" : absl::StrJoin(known, ", ")));
}

absl::StatusOr<std::string> FindExperimentFile(const std::string& name_or_path,
                                               const std::string& argv0) {
  return FindConfigFile(name_or_path, "", "experiment", argv0);
}

absl::Status ParseTextProto(const std::string& text, const std::string& filename,
                            Message* message) {
  google::protobuf::TextFormat::Parser parser;
  OneLineErrorCollector errors(filename, message->GetDescriptor());
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, message)) {
    return absl::InvalidArgumentError(errors.first_error().empty()
                                          ? absl::StrCat(filename, ": cannot parse")
                                          : errors.first_error());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadField(const Message& root, const std::string& path) {
  auto error = [&](const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  };
  const std::vector<std::string> tokens = SplitFieldPath(path);
  const Message* message = &root;
  for (size_t i = 0; i < tokens.size(); ++i) {
    absl::StatusOr<PathStep> step = ResolveStep(tokens[i], *message);
    if (!step.ok()) return error(step.status());
    const FieldDescriptor* field = step->field;
    const Reflection* r = message->GetReflection();
    if (field->is_repeated() && step->index < 0) {
      return error(absl::InvalidArgumentError(
          absl::StrCat(field->name(), " is repeated: index it, e.g. ", field->name(), "[0]")));
    }
    if (field->is_repeated() && step->index >= r->FieldSize(*message, field)) {
      return error(absl::OutOfRangeError(absl::StrCat(
          field->name(), "[", step->index, "]: the list has ", r->FieldSize(*message, field),
          " entries")));
    }
    const int index = field->is_repeated() ? step->index : -1;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      message = index >= 0 ? &r->GetRepeatedMessage(*message, field, index)
                           : &r->GetMessage(*message, field);
      if (i + 1 == tokens.size()) return message->ShortDebugString();
      continue;
    }
    if (i + 1 != tokens.size()) {
      return error(absl::InvalidArgumentError(
          absl::StrCat(field->name(), " is a ", TypeName(field), ", not a message")));
    }
    std::string text;
    google::protobuf::TextFormat::PrintFieldValueToString(*message, field, index, &text);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      // The printer quotes and escapes strings; give the value itself.
      text = index >= 0 ? r->GetRepeatedString(*message, field, index)
                        : r->GetString(*message, field);
    }
    return text;
  }
  return error(absl::InvalidArgumentError("empty path"));
}

absl::Status ApplyOverride(const std::string& assignment, Message* root) {
  const size_t eq = assignment.find('=');
  auto error = [&](const absl::Status& status) {
    return absl::Status(status.code(), absl::StrCat("--set ", assignment, ": ", status.message()));
  };
  if (eq == std::string::npos || eq == 0) {
    return error(absl::InvalidArgumentError("expected path=value, e.g. arch.L_cycles=6"));
  }
  const std::string path(absl::StripAsciiWhitespace(assignment.substr(0, eq)));
  const std::string value = assignment.substr(eq + 1);
  const std::vector<std::string> tokens = SplitFieldPath(path);

  Message* message = root;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const bool last = i + 1 == tokens.size();
    absl::StatusOr<PathStep> step = ResolveStep(tokens[i], *message);
    if (!step.ok()) return error(step.status());
    const FieldDescriptor* field = step->field;
    const Reflection* r = message->GetReflection();
    const bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;

    if (!last) {
      if (!is_message) {
        return error(absl::InvalidArgumentError(
            absl::StrCat(field->name(), " is a ", TypeName(field), ", not a message")));
      }
      if (field->is_repeated()) {
        if (step->index < 0) {
          return error(absl::InvalidArgumentError(
              absl::StrCat(field->name(), " is repeated: index it, e.g. ", field->name(), "[0]")));
        }
        const int size = r->FieldSize(*message, field);
        if (step->index > size) {
          return error(absl::InvalidArgumentError(
              absl::StrCat(field->name(), "[", step->index, "]: the list has ", size, " entries")));
        }
        message = step->index == size ? r->AddMessage(message, field)
                                      : r->MutableRepeatedMessage(message, field, step->index);
      } else {
        message = r->MutableMessage(message, field);
      }
      continue;
    }

    // Last step: assign.
    if (is_message) {
      std::string text(absl::StripAsciiWhitespace(value));
      if (!absl::StartsWith(text, "{") || !absl::EndsWith(text, "}")) {
        return error(absl::InvalidArgumentError(
            absl::StrCat(field->name(), " is a message: give a text proto in braces, e.g. ",
                         field->name(), "={...}")));
      }
      text = text.substr(1, text.size() - 2);
      Message* target;
      if (field->is_repeated()) {
        const int size = r->FieldSize(*message, field);
        if (step->index < 0 || step->index > size) {
          return error(absl::InvalidArgumentError(
              absl::StrCat(field->name(), " is repeated: index it, e.g. ", field->name(), "[0]")));
        }
        target = step->index == size ? r->AddMessage(message, field)
                                     : r->MutableRepeatedMessage(message, field, step->index);
      } else {
        target = r->MutableMessage(message, field);
      }
      target->Clear();
      absl::Status parsed = ParseTextProto(text, "value", target);
      if (!parsed.ok()) return error(parsed);
      return absl::OkStatus();
    }
    if (field->is_repeated()) {
      if (step->index >= 0) {
        const int size = r->FieldSize(*message, field);
        if (step->index > size) {
          return error(absl::InvalidArgumentError(
              absl::StrCat(field->name(), "[", step->index, "]: the list has ", size, " entries")));
        }
        absl::Status s = SetScalar(message, field, value, step->index == size,
                                   step->index == size ? -1 : step->index);
        return s.ok() ? s : error(s);
      }
      std::string list(absl::StripAsciiWhitespace(value));
      if (absl::StartsWith(list, "[") && absl::EndsWith(list, "]")) {
        list = list.substr(1, list.size() - 2);
      }
      r->ClearField(message, field);
      if (absl::StripAsciiWhitespace(list).empty()) return absl::OkStatus();
      for (const std::string& item :
           std::vector<std::string>(absl::StrSplit(list, ',', absl::AllowEmpty()))) {
        absl::Status s = SetScalar(message, field, item, /*append=*/true, -1);
        if (!s.ok()) return error(s);
      }
      return absl::OkStatus();
    }
    absl::Status s = SetScalar(message, field, value, false, -1);
    return s.ok() ? s : error(s);
  }
  return absl::OkStatus();
}

absl::Status ValidateExperiment(const Experiment& e) {
  auto invalid = [](const std::string& field, const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat("experiment field ", field, ": ", why));
  };
  const TrainConfig& train = e.train();
  if (train.global_batch_size() <= 0) return invalid("train.global_batch_size", "must be > 0");
  if (train.epochs() <= 0) return invalid("train.epochs", "must be > 0");
  if (train.eval_interval() < 0) return invalid("train.eval_interval", "must be >= 0");
  if (train.eval_interval() > 0 && train.epochs() % train.eval_interval() != 0) {
    return invalid(
        "train.eval_interval",
        absl::StrCat(train.eval_interval(), " does not divide train.epochs = ", train.epochs()));
  }
  if (train.max_steps() < 0) return invalid("train.max_steps", "must be >= 0");
  const ArchConfig& arch = e.arch();
  if (arch.hidden_size() <= 0) return invalid("arch.hidden_size", "must be > 0");
  if (arch.num_heads() <= 0) return invalid("arch.num_heads", "must be > 0");
  if (arch.h_cycles() <= 0) return invalid("arch.H_cycles", "must be > 0");
  if (arch.l_cycles() <= 0) return invalid("arch.L_cycles", "must be > 0");
  if (arch.halt_max_steps() <= 0) return invalid("arch.halt_max_steps", "must be > 0");
  if (arch.expansion() <= 0) return invalid("arch.expansion", "must be > 0");
  if (arch.halt_exploration_prob() < 0 || arch.halt_exploration_prob() > 1) {
    return invalid("arch.halt_exploration_prob", "must be in [0, 1]");
  }
  if (arch.forward_dtype() != "bfloat16" && arch.forward_dtype() != "float32") {
    return invalid("arch.forward_dtype",
                   absl::StrCat("'", arch.forward_dtype(), "' is not one of bfloat16, float32"));
  }
  if (arch.pos_encodings() != "rope" && arch.pos_encodings() != "learned" &&
      arch.pos_encodings() != "none") {
    return invalid("arch.pos_encodings",
                   absl::StrCat("'", arch.pos_encodings(), "' is not one of rope, learned, none"));
  }
  if (e.ema().rate() < 0 || e.ema().rate() >= 1) return invalid("ema.rate", "must be in [0, 1)");
  if (e.lr_schedule().warmup_steps() < 0)
    return invalid("lr_schedule.warmup_steps", "must be >= 0");
  if (e.data().num_aug() < 0) return invalid("data.num_aug", "must be >= 0");

  return absl::OkStatus();
}

absl::StatusOr<Experiment> LoadExperiment(const std::string& name_or_path,
                                          const std::vector<std::string>& overrides,
                                          const std::string& argv0) {
  TRM_ASSIGN_OR_RETURN(const std::string path, FindExperimentFile(name_or_path, argv0));
  TRM_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  Experiment experiment;
  TRM_RETURN_IF_ERROR(ParseTextProto(text, path, &experiment));
  if (!experiment.has_name()) experiment.set_name(fs::path(path).stem().string());
  for (const std::string& assignment : overrides) {
    TRM_RETURN_IF_ERROR(ApplyOverride(assignment, &experiment));
  }
  absl::Status valid = ValidateExperiment(experiment);
  if (!valid.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", valid.message()));
  return experiment;
}

void FillDefaults(Message* message) {
  const Descriptor* descriptor = message->GetDescriptor();
  const Reflection* r = message->GetReflection();
  // Plugin settings (extensions) that the experiment sets get their defaults too; absent ones stay
  // absent, as only their plugin knows whether they matter.
  std::vector<const FieldDescriptor*> present;
  r->ListFields(*message, &present);
  for (const FieldDescriptor* field : present) {
    if (!field->is_extension() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int j = 0; j < r->FieldSize(*message, field); ++j) {
        FillDefaults(r->MutableRepeatedMessage(message, field, j));
      }
    } else {
      FillDefaults(r->MutableMessage(message, field));
    }
  }
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int j = 0; j < r->FieldSize(*message, field); ++j) {
          FillDefaults(r->MutableRepeatedMessage(message, field, j));
        }
      } else {
        FillDefaults(r->MutableMessage(message, field));
      }
    } else if (!field->is_repeated() && field->has_default_value() &&
               !r->HasField(*message, field)) {
      // Copy the default into the field: reading returns it, setting marks it present.
      switch (field->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          r->SetInt32(message, field, field->default_value_int32());
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          r->SetInt64(message, field, field->default_value_int64());
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          r->SetUInt32(message, field, field->default_value_uint32());
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          r->SetUInt64(message, field, field->default_value_uint64());
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          r->SetDouble(message, field, field->default_value_double());
          break;
        case FieldDescriptor::CPPTYPE_FLOAT:
          r->SetFloat(message, field, field->default_value_float());
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          r->SetBool(message, field, field->default_value_bool());
          break;
        case FieldDescriptor::CPPTYPE_STRING:
          r->SetString(message, field, field->default_value_string());
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          r->SetEnum(message, field, field->default_value_enum());
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE:
          break;
      }
    }
  }
}

std::string ExperimentToText(const Message& experiment) {
  std::unique_ptr<Message> complete(experiment.New());
  complete->CopyFrom(experiment);
  FillDefaults(complete.get());
  std::string text;
  google::protobuf::TextFormat::PrintToString(*complete, &text);
  return text;
}

}  // namespace trm::config
