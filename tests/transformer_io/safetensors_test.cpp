// The safetensors reader and writer: exact layout, bit-identical round trips, and an error
// naming the file and the problem for every malformed header.
#include <gtest/gtest.h>

#include <cstring>

#include "paddock/transformer/half_precision.hpp"
#include "paddock/transformer/safetensors_file.hpp"
#include "paddock/transformer/safetensors_header.hpp"
#include "paddock/transformer/safetensors_writer.hpp"
#include "paddock/transformer/tensor_values.hpp"
#include "test_support.hpp"

namespace paddock::transformer {
namespace {

using testing::error_message;
using ::testing::HasSubstr;
using testing::read_text;
using testing::TempDir;

template <typename T>
std::span<const std::byte> bytes_of(const std::vector<T>& values) {
  return std::as_bytes(std::span<const T>(values));
}

std::string length_prefix(std::uint64_t length) {
  std::string prefix;
  for (int i = 0; i < 8; ++i) prefix.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
  return prefix;
}

// A file with `header` as its JSON and `data_size` zero bytes of data.
std::filesystem::path write_raw(const TempDir& directory, const std::string& header,
                                std::size_t data_size,
                                const std::string& name = "bad.safetensors") {
  const std::filesystem::path file = directory / name;
  testing::write_text(file, length_prefix(header.size()) + header + std::string(data_size, '\0'));
  return file;
}

std::string open_error(const std::filesystem::path& file) {
  return error_message([&] { SafetensorsFile opened(file); });
}

struct SampleTensors {
  std::vector<float> weights = {1.5f, -2.25f, 3.0f, 0.0f, -0.0f, 1e-30f};
  std::vector<std::uint16_t> halves = {0x3C00, 0xC000, 0x7BFF, 0x0001};
  std::vector<std::uint16_t> bfloats = {0x3F80, 0xBF80};
  std::vector<std::int64_t> positions = {0, 1, 2, -7};
  std::vector<std::uint8_t> mask = {1, 0, 1};
  std::vector<float> scalar = {42.0f};
  std::vector<float> empty;

  std::vector<TensorToWrite> list() const {
    return {{"layer.weight", DType::float32, {2, 3}, bytes_of(weights)},
            {"layer.f16", DType::float16, {4}, bytes_of(halves)},
            {"layer.bf16", DType::bfloat16, {1, 2}, bytes_of(bfloats)},
            {"positions", DType::int64, {4}, bytes_of(positions)},
            {"mask", DType::bool8, {3}, bytes_of(mask)},
            {"scale", DType::float32, {}, bytes_of(scalar)},
            {"nothing", DType::float32, {0, 5}, bytes_of(empty)}};
  }
};

TEST(Safetensors, WritesTheExactReferenceLayout) {
  const std::vector<float> value = {1.0f};
  const std::vector<std::byte> bytes =
      serialize_safetensors({{"a", DType::float32, {1}, bytes_of(value)}});
  const std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  ASSERT_EQ(header.size(), 54u);
  const std::string expected =
      length_prefix(56) + header + "  " + std::string("\x00\x00\x80\x3f", 4);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), expected);
}

TEST(Safetensors, RoundTripIsBitIdentical) {
  TempDir directory;
  const SampleTensors sample;
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "ünïcode"}};
  write_safetensors(directory / "a.safetensors", sample.list(), metadata);

  const SafetensorsFile file(directory / "a.safetensors");
  EXPECT_EQ(file.metadata(), metadata);
  ASSERT_EQ(file.tensors().size(), 7u);
  for (const TensorToWrite& original : sample.list()) {
    const TensorView& view = file.tensor(original.name);
    EXPECT_EQ(view.dtype, original.dtype) << original.name;
    EXPECT_EQ(view.shape, original.shape) << original.name;
    ASSERT_EQ(view.size_bytes(), original.bytes.size()) << original.name;
    EXPECT_TRUE(std::equal(view.bytes.begin(), view.bytes.end(), original.bytes.begin()))
        << original.name;
  }
  EXPECT_EQ(file.tensor("scale").element_count(), 1);
  EXPECT_EQ(file.tensor("nothing").element_count(), 0);

  // Rewriting from the views gives the same file, byte for byte.
  std::vector<TensorToWrite> again;
  for (const TensorView& view : file.tensors()) {
    again.push_back({view.name, view.dtype, view.shape, view.bytes});
  }
  write_safetensors(directory / "b.safetensors", again, file.metadata());
  EXPECT_EQ(read_text(directory / "a.safetensors"), read_text(directory / "b.safetensors"));
  // And the input order does not matter.
  std::vector<TensorToWrite> reversed = sample.list();
  std::reverse(reversed.begin(), reversed.end());
  write_safetensors(directory / "c.safetensors", reversed, metadata);
  EXPECT_EQ(read_text(directory / "a.safetensors"), read_text(directory / "c.safetensors"));
}

TEST(Safetensors, LaysOutWidestDtypeFirstThenByNameWithAlignedData) {
  TempDir directory;
  const SampleTensors sample;
  write_safetensors(directory / "a.safetensors", sample.list());
  const SafetensorsFile file(directory / "a.safetensors");
  std::vector<std::string> order;
  for (const TensorView& view : file.tensors()) order.push_back(view.name);
  EXPECT_EQ(order, (std::vector<std::string>{"positions", "layer.weight", "nothing", "scale",
                                             "layer.bf16", "layer.f16", "mask"}));
  const std::string bytes = read_text(directory / "a.safetensors");
  std::uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  EXPECT_EQ(header_length % 8, 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(file.tensor("positions").data()) % 8, 0u);
}

TEST(Safetensors, ConvertsHalfPrecisionTensorsToFloat) {
  TempDir directory;
  const SampleTensors sample;
  write_safetensors(directory / "a.safetensors", sample.list());
  const SafetensorsFile file(directory / "a.safetensors");
  EXPECT_EQ(tensor_to_floats(file.tensor("layer.f16")),
            (std::vector<float>{1.0f, -2.0f, 65504.0f, half_bits_to_float(1)}));
  EXPECT_EQ(tensor_to_floats(file.tensor("layer.bf16")), (std::vector<float>{1.0f, -1.0f}));
  EXPECT_EQ(tensor_to_floats(file.tensor("layer.weight")), sample.weights);
  EXPECT_THAT(error_message([&] { tensor_to_floats(file.tensor("positions")); }),
              HasSubstr("'positions' has dtype I64"));
}

TEST(Safetensors, AcceptsAHeaderPaddedWithSpaces) {
  TempDir directory;
  const auto file =
      write_raw(directory, R"({"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}       )", 2);
  const SafetensorsFile opened(file);
  EXPECT_EQ(opened.tensor("x").size_bytes(), 2u);
}

TEST(Safetensors, AcceptsAnEmptyFileOfTensors) {
  TempDir directory;
  write_safetensors(directory / "empty.safetensors", {});
  EXPECT_TRUE(SafetensorsFile(directory / "empty.safetensors").tensors().empty());
}

TEST(SafetensorsErrors, TruncatedFile) {
  TempDir directory;
  testing::write_text(directory / "short.safetensors", "abc");
  const std::string message = open_error(directory / "short.safetensors");
  EXPECT_THAT(message, HasSubstr((directory / "short.safetensors").string()));
  EXPECT_THAT(message, HasSubstr("truncated file"));
}

TEST(SafetensorsErrors, HeaderLengthPastEnd) {
  TempDir directory;
  testing::write_text(directory / "a.safetensors", length_prefix(500) + "{}");
  EXPECT_THAT(open_error(directory / "a.safetensors"),
              HasSubstr("header length 500 runs past the end of the file"));
}

TEST(SafetensorsErrors, HeaderLengthOverTheCap) {
  TempDir directory;
  testing::write_text(directory / "a.safetensors", length_prefix(200'000'000) + "{}");
  EXPECT_THAT(open_error(directory / "a.safetensors"),
              HasSubstr("exceeds the 100000000-byte limit"));
}

TEST(SafetensorsErrors, BadJson) {
  TempDir directory;
  const auto file = write_raw(directory, R"({"x": {"dtype": "F32",)", 0);
  EXPECT_THAT(open_error(file), HasSubstr("header: not valid JSON"));
  const auto not_object = write_raw(directory, "[1, 2]", 0, "array.safetensors");
  EXPECT_THAT(open_error(not_object), HasSubstr("must start with '{'"));
  const auto bad_utf8 = write_raw(directory, "{\"\xff\": 1}", 0, "utf8.safetensors");
  EXPECT_THAT(open_error(bad_utf8), HasSubstr("not valid JSON"));
}

TEST(SafetensorsErrors, UnknownDtype) {
  TempDir directory;
  const auto file =
      write_raw(directory, R"({"w":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}})", 4);
  const std::string message = open_error(file);
  EXPECT_THAT(message, HasSubstr(file.string()));
  EXPECT_THAT(message, HasSubstr("tensor 'w': unknown dtype 'F17'"));
}

TEST(SafetensorsErrors, ShapeAndByteRangeDisagree) {
  TempDir directory;
  const auto file =
      write_raw(directory, R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8);
  EXPECT_THAT(open_error(file),
              HasSubstr("tensor 'w': data_offsets [0,8] hold 8 bytes but F32 shape [3] needs 12"));
}

TEST(SafetensorsErrors, OffsetsOutOfRange) {
  TempDir directory;
  const auto file =
      write_raw(directory, R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8);
  EXPECT_THAT(open_error(file), HasSubstr("tensor 'w': data_offsets [0,16] run past the end"));
}

TEST(SafetensorsErrors, DataCutShort) {
  TempDir directory;
  const std::vector<float> values(16, 1.0f);
  write_safetensors(directory / "a.safetensors", {{"w", DType::float32, {16}, bytes_of(values)}});
  const std::string bytes = read_text(directory / "a.safetensors");
  testing::write_text(directory / "cut.safetensors", bytes.substr(0, bytes.size() - 10));
  EXPECT_THAT(open_error(directory / "cut.safetensors"),
              HasSubstr("tensor 'w': data_offsets [0,64] run past"));
}

TEST(SafetensorsErrors, Overlap) {
  TempDir directory;
  const auto file = write_raw(directory,
                              R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                              R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                              6);
  EXPECT_THAT(open_error(file),
              HasSubstr("tensor 'b': data_offsets [2, 6] overlap tensor 'a' [0, 4]"));
}

TEST(SafetensorsErrors, Gap) {
  TempDir directory;
  const auto file = write_raw(directory,
                              R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                              R"("b":{"dtype":"U8","shape":[4],"data_offsets":[6,10]}})",
                              10);
  EXPECT_THAT(open_error(file),
              HasSubstr("data bytes [4, 6) before tensor 'b' belong to no tensor (a gap)"));
}

TEST(SafetensorsErrors, TrailingBytes) {
  TempDir directory;
  const auto file =
      write_raw(directory, R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 9);
  EXPECT_THAT(open_error(file),
              HasSubstr("data bytes [4, 9) at the end of the file belong to no tensor"));
}

TEST(SafetensorsErrors, OffsetsInTheWrongOrder) {
  TempDir directory;
  const auto file =
      write_raw(directory, R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})", 4);
  EXPECT_THAT(open_error(file), HasSubstr("tensor 'a': data_offsets [4,0] begin after they end"));
}

TEST(SafetensorsErrors, MissingAndMistypedFields) {
  TempDir directory;
  const std::pair<std::string, std::string> cases[] = {
      {R"({"a":{"shape":[1],"data_offsets":[0,1]}})", "tensor 'a': missing field 'dtype'"},
      {R"({"a":{"dtype":"U8","data_offsets":[0,1]}})", "tensor 'a': missing field 'shape'"},
      {R"({"a":{"dtype":"U8","shape":[1]}})", "tensor 'a': missing field 'data_offsets'"},
      {R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})",
       "non-negative integers, found -1"},
      {R"({"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}})",
       "non-negative integers, found 1.5"},
      {R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}})",
       "'data_offsets' must be [begin, end]"},
      {R"({"a":{"dtype":8,"shape":[1],"data_offsets":[0,1]}})", "field 'dtype' must be a string"},
      {R"({"a":[1]})", "tensor 'a': entry must be an object"},
      {R"({"__metadata__":{"k":1}})", "__metadata__ 'k' must be a string"},
      {R"({"__metadata__":[]})", "__metadata__ must be an object"},
      {R"({"a":{"dtype":"U8","shape":[4294967296,4294967296,16],"data_offsets":[0,1]}})",
       "is too large"},
  };
  int index = 0;
  for (const auto& [header, expected] : cases) {
    const auto file =
        write_raw(directory, header, 1, "case" + std::to_string(index++) + ".safetensors");
    const std::string message = open_error(file);
    EXPECT_THAT(message, HasSubstr(expected)) << header;
    EXPECT_THAT(message, HasSubstr(file.string())) << header;
  }
}

// Found by the fuzzer (tests/fuzz): quoting a deeply nested value in an error message
// recursed once per level and overflowed the stack.
TEST(SafetensorsErrors, DeeplyNestedHeaderIsRefusedWithoutRecursing) {
  const std::size_t depth = 1'000'000;
  const std::string header = R"({"a":{"dtype":"U8","shape":)" + std::string(depth, '[') +
                             std::string(depth, ']') + R"(,"data_offsets":[0,0]}})";
  const std::string file = length_prefix(header.size()) + header;
  EXPECT_THAT(error_message([&] {
                parse_safetensors_layout(std::as_bytes(std::span(file)), "deep.safetensors");
              }),
              HasSubstr("deep.safetensors: header: JSON nested more than 64 levels deep"));
}

TEST(SafetensorsErrors, DuplicateTensorName) {
  TempDir directory;
  const auto file = write_raw(directory,
                              R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                              R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                              2);
  EXPECT_THAT(open_error(file), HasSubstr("tensor 'a' appears twice"));
}

TEST(SafetensorsErrors, MissingTensorIsNamed) {
  TempDir directory;
  write_safetensors(directory / "a.safetensors", {});
  const SafetensorsFile file(directory / "a.safetensors");
  EXPECT_EQ(file.find("nope"), nullptr);
  EXPECT_THAT(error_message([&] { file.tensor("nope"); }), HasSubstr("no tensor named 'nope'"));
  EXPECT_THAT(open_error(directory / "missing.safetensors"), HasSubstr("cannot open"));
}

TEST(SafetensorsWriter, RefusesInconsistentTensors) {
  TempDir directory;
  const std::vector<float> three = {1, 2, 3};
  const auto file = directory / "w.safetensors";
  EXPECT_THAT(error_message([&] {
                write_safetensors(file, {{"a", DType::float32, {2}, bytes_of(three)}});
              }),
              HasSubstr("tensor 'a': has 12 bytes but its F32 shape needs 8"));
  EXPECT_THAT(error_message([&] {
                write_safetensors(file, {{"a", DType::float32, {3}, bytes_of(three)},
                                         {"a", DType::float32, {3}, bytes_of(three)}});
              }),
              HasSubstr("tensor 'a': the name appears twice"));
  EXPECT_THAT(error_message([&] {
                write_safetensors(file, {{"__metadata__", DType::float32, {3}, bytes_of(three)}});
              }),
              HasSubstr("reserved"));
  EXPECT_THAT(error_message([&] {
                write_safetensors(file, {{"a", DType::float32, {-3}, bytes_of(three)}});
              }),
              HasSubstr("negative dimension"));
  EXPECT_FALSE(std::filesystem::exists(file));
  // Nothing but the files we asked for is left in the directory (no temporaries).
  write_safetensors(file, {{"a", DType::float32, {3}, bytes_of(three)}});
  write_safetensors(file, {{"a", DType::float32, {3}, bytes_of(three)}});
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(directory.path()), {}), 1);
}

}  // namespace
}  // namespace paddock::transformer
