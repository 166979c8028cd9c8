// `tessera eval` and its dataset readers, and the bad-input paths of `tessera run`:
// - IDX files (gzip and raw) written here byte by byte, read back exactly; every header field,
//   truncation and count mismatch names the file and the field;
// - class folders (labels by sorted names or by the model's class names, round-robin order),
//   and their errors: missing path, empty folder, no class subfolders, no images, undecodable
//   or wrong-channel images;
// - accuracy bookkeeping against hand-computed counts, the per-layer JSON against hand values;
// - the `tessera` binary end to end: accuracy on the golden model equals the accuracy implied
//   by labels chosen from tessera::ref's predictions, and each bad input exits 1 naming it;
//   --backend mmio on a file standing in for /dev/mem: compiled, loaded, started, timed out.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "../common/test_util.hpp"
#include "tessera/cli/cli.hpp"
#include "tessera/cli/dataset.hpp"
#include "tessera/cli/eval.hpp"
#include "tessera/isa_gen.hpp"

namespace tessera::cli {
namespace {

namespace fs = std::filesystem;

const std::string kSeedModel = std::string(TESSERA_SOURCE_DIR) + "/models/seed_convnet.onnx";

using testutil::TempDir;

void be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& b, bool gz) {
  if (gz) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, b.data(), unsigned(b.size())), int(b.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  }
}

std::vector<uint8_t> idx_images(uint32_t count, uint32_t rows, uint32_t cols,
                                const std::vector<uint8_t>& px, uint32_t magic = 0x803) {
  std::vector<uint8_t> b;
  be32(b, magic);
  be32(b, count);
  be32(b, rows);
  be32(b, cols);
  b.insert(b.end(), px.begin(), px.end());
  return b;
}

std::vector<uint8_t> idx_labels(uint32_t count, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> b;
  be32(b, 0x801);
  be32(b, count);
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

std::vector<uint8_t> ramp(size_t n, unsigned mul) {
  std::vector<uint8_t> v(n);
  for (size_t k = 0; k < n; ++k) v[k] = uint8_t(k * mul);
  return v;
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

void write_png(const std::string& path, int h, int w, int channels, uint32_t seed) {
  fs::create_directories(fs::path(path).parent_path());
  cv::Mat m(h, w, channels == 1 ? CV_8UC1 : CV_8UC3);
  std::mt19937 rng(seed);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w * channels; ++x) m.ptr<uint8_t>(y)[x] = uint8_t(rng());
  ASSERT_TRUE(cv::imwrite(path, m));
}

// ---- IDX ----

TEST(Idx, ReadsGzipAndRawFiles) {
  TempDir d;
  const std::vector<uint8_t> px = ramp(3 * 2 * 3, 7);
  for (bool gz : {true, false}) {
    const std::string p = d / (gz ? "img.gz" : "img");
    write_bytes(p, idx_images(3, 2, 3, px), gz);
    const IdxImages all = read_idx_images(p);
    EXPECT_EQ(all.count, 3u);
    EXPECT_EQ(all.rows, 2u);
    EXPECT_EQ(all.cols, 3u);
    EXPECT_EQ(all.pixels, px);
    const IdxImages two = read_idx_images(p, 2);
    EXPECT_EQ(two.count, 3u);
    EXPECT_EQ(two.pixels, std::vector<uint8_t>(px.begin(), px.begin() + 12));
    const std::string l = d / (gz ? "lab.gz" : "lab");
    write_bytes(l, idx_labels(3, {4, 0, 9}), gz);
    EXPECT_EQ(read_idx_labels(l).labels, (std::vector<uint8_t>{4, 0, 9}));
    EXPECT_EQ(read_idx_labels(l, 1).labels, (std::vector<uint8_t>{4}));
  }
}

TEST(Idx, BadFilesNameTheFileAndField) {
  TempDir d;
  const std::string p = d / "x.gz";
  write_bytes(p, idx_images(1, 2, 2, ramp(4, 1), 0x801), true);
  std::string e = error_of([&] { read_idx_images(p); });
  EXPECT_HAS(e, p);
  EXPECT_HAS(e, "field 'magic' is 0x00000801, expected 0x00000803");
  write_bytes(p, idx_images(1, 0, 2, {}), true);
  EXPECT_HAS(error_of([&] { read_idx_images(p); }), "field 'rows' is 0");
  write_bytes(p, idx_images(3, 2, 2, ramp(8, 1)), true);  // 2 of 3 images
  e = error_of([&] { read_idx_images(p); });
  EXPECT_HAS(e, p);
  EXPECT_HAS(e, "truncated in the pixel data of 3 images of 2x2 (needs 12 bytes, the file has 8)");
  write_bytes(p, {0, 0}, false);
  EXPECT_HAS(error_of([&] { read_idx_labels(p); }), "truncated in the header field 'magic'");
  write_bytes(p, idx_labels(5, {1, 2}), false);
  EXPECT_HAS(error_of([&] { read_idx_labels(p); }), "truncated in the label data");
  // A gzip stream cut in half.
  const std::string full = d / "full.gz";
  write_bytes(full, idx_images(50, 28, 28, ramp(50 * 784, 13)), true);
  std::ifstream in(full, std::ios::binary);
  std::vector<char> bytes(std::istreambuf_iterator<char>(in), {});
  std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() / 2));
  e = error_of([&] { read_idx_images(p); });
  EXPECT_HAS(e, p);
  EXPECT_TRUE(e.find("truncated") != std::string::npos || e.find("read error") != std::string::npos)
      << e;
  EXPECT_HAS(error_of([&] { read_idx_images(d / "nope"); }), "nope': cannot open it");
}

TEST(Dataset, IdxDirectoryGivesGrayLabelledImages) {
  TempDir d;
  const std::vector<uint8_t> px = ramp(3 * 2 * 3, 11);
  write_bytes(d / "t10k-images-idx3-ubyte.gz", idx_images(3, 2, 3, px), true);
  write_bytes(d / "t10k-labels-idx1-ubyte", idx_labels(3, {7, 1, 3}), false);
  const Dataset ds = load_dataset(d.str(), 2, 3, 0, {});
  EXPECT_TRUE(ds.idx);
  EXPECT_EQ(ds.available, 3u);
  ASSERT_EQ(ds.items.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const LabelledImage& it = ds.items[i];
    EXPECT_EQ(it.label, std::vector<int>({7, 1, 3})[i]);
    EXPECT_EQ(it.image.channels, 1);
    EXPECT_HAS(it.source, "t10k-images-idx3-ubyte.gz #" + std::to_string(i));
    for (size_t k = 0; k < 6; ++k)
      for (size_t c = 0; c < 3; ++c) EXPECT_EQ(it.image.rgb[k * 3 + c], px[i * 6 + k]);
  }
  EXPECT_EQ(load_dataset(d.str(), 4, 6, 2, {}).items.size(), 2u);  // resized, limited
  EXPECT_EQ(load_dataset(d.str(), 4, 6, 2, {}).items[1].image.rgb.size(), 4u * 6 * 3);
}

TEST(Dataset, IdxCountMismatchAndMissingFile) {
  TempDir d;
  write_bytes(d / "t10k-images-idx3-ubyte", idx_images(3, 2, 2, ramp(12, 1)), false);
  write_bytes(d / "t10k-labels-idx1-ubyte", idx_labels(2, {1, 2}), false);
  const std::string e = error_of([&] { load_dataset(d.str(), 2, 2, 0, {}); });
  EXPECT_HAS(e, "t10k-images-idx3-ubyte' holds 3 images");
  EXPECT_HAS(e, "t10k-labels-idx1-ubyte' holds 2 labels");
  fs::remove(d / "t10k-labels-idx1-ubyte");
  EXPECT_HAS(error_of([&] { load_dataset(d.str(), 2, 2, 0, {}); }),
             "but not t10k-labels-idx1-ubyte[.gz]");
}

// ---- class folders ----

TEST(Dataset, ClassFoldersSortedOrModelOrderRoundRobin) {
  TempDir d;
  write_png(d / "cat/1.png", 4, 4, 3, 1);
  write_png(d / "cat/2.png", 4, 4, 3, 2);
  write_png(d / "dog/1.png", 4, 4, 1, 3);
  fs::create_directories(d / ".hidden");
  write_png(d / ".hidden/x.png", 4, 4, 3, 4);
  Dataset ds = load_dataset(d.str(), 4, 4, 0, {"t-shirt"});  // names do not cover: sorted
  EXPECT_FALSE(ds.idx);
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(ds.items.size(), 3u);
  EXPECT_EQ(ds.items[0].source, d / "cat/1.png");
  EXPECT_EQ(ds.items[1].source, d / "dog/1.png");
  EXPECT_EQ(ds.items[2].source, d / "cat/2.png");
  EXPECT_EQ(ds.items[0].label, 0);
  EXPECT_EQ(ds.items[1].label, 1);
  EXPECT_EQ(ds.items[1].image.channels, 1);
  EXPECT_EQ(ds.items[0].image.channels, 3);
  ds = load_dataset(d.str(), 4, 4, 2, {"bird", "dog", "cat"});
  EXPECT_EQ(ds.available, 3u);
  ASSERT_EQ(ds.items.size(), 2u);
  EXPECT_EQ(ds.items[0].label, 2);  // cat
  EXPECT_EQ(ds.items[1].label, 1);  // dog
  EXPECT_EQ(ds.class_names, (std::vector<std::string>{"bird", "dog", "cat"}));
}

TEST(Dataset, FolderErrorsNameThePath) {
  TempDir d;
  EXPECT_HAS(error_of([&] { load_dataset(d / "missing", 4, 4, 0, {}); }),
             "missing': no such file or directory");
  fs::create_directories(d / "empty");
  EXPECT_HAS(error_of([&] { load_dataset(d / "empty", 4, 4, 0, {}); }), "empty' is empty");
  write_png(d / "flat/a.png", 4, 4, 3, 1);
  EXPECT_HAS(error_of([&] { load_dataset(d / "flat", 4, 4, 0, {}); }),
             "flat' has no class subfolders");
  EXPECT_HAS(error_of([&] { load_dataset(d / "flat/a.png", 4, 4, 0, {}); }),
             "a.png' is not a directory");
  fs::create_directories(d / "noimages/cat");
  EXPECT_HAS(error_of([&] { load_dataset(d / "noimages", 4, 4, 0, {}); }),
             "has class subfolders but no image files");
  write_png(d / "bad/cat/ok.png", 4, 4, 3, 1);
  std::ofstream(d / "bad/cat/zz.png") << "not a PNG";
  EXPECT_HAS(error_of([&] { load_dataset(d / "bad", 4, 4, 0, {}); }),
             "image '" + d / "bad/cat/zz.png" + "': cannot decode it");
}

TEST(Channels, MismatchIsAnErrorUnlessConversionIsAsked) {
  onnx::Value rgb_in;
  rgb_in.name = "input";
  rgb_in.dims = {1, 3, 4, 4};
  onnx::Value gray_in = rgb_in;
  gray_in.dims = {1, 1, 4, 4};
  RgbImage gray{4, 4, std::vector<uint8_t>(48, 9), 1};
  RgbImage colour{4, 4, std::vector<uint8_t>(48, 9), 3};
  const std::string e = error_of([&] { check_channels(gray, rgb_in, "g.png", false); });
  EXPECT_HAS(e, "image 'g.png' has 1 channel (grayscale), model input 'input' wants 3 channels");
  EXPECT_HAS(error_of([&] { check_channels(colour, gray_in, "c.png", false); }),
             "'c.png' has 3 channels (colour), model input 'input' wants 1 channel");
  EXPECT_NO_THROW(check_channels(gray, rgb_in, "g.png", true));
  EXPECT_NO_THROW(check_channels(gray, gray_in, "g.png", false));
  EXPECT_NO_THROW(check_channels(colour, rgb_in, "c.png", false));
}

// ---- bookkeeping and reports ----

TEST(Tally, TopOneTopFivePerClass) {
  AccuracyTally t(10);
  t.add(3, {3, 1, 2, 0, 4});  // top-1
  t.add(3, {1, 2, 3, 0, 4});  // top-5 only
  t.add(5, {1, 2, 3, 0, 4});  // neither
  t.add(5, {1, 2, 3, 0, 4, 5});  // 6th place does not count
  t.add(0, {0});
  EXPECT_EQ(t.total().images, 5u);
  EXPECT_EQ(t.total().top1, 2u);
  EXPECT_EQ(t.total().top5, 3u);
  EXPECT_EQ(t.per_class()[3].images, 2u);
  EXPECT_EQ(t.per_class()[3].top1, 1u);
  EXPECT_EQ(t.per_class()[3].top5, 2u);
  EXPECT_EQ(t.per_class()[5].top5, 0u);
  EXPECT_THROW(t.add(10, {1}), std::out_of_range);
}

TEST(Progress, LineHasCountsRateAccuracyAndEta) {
  const std::string s = format_progress(50, 200, 10.0, 40);
  EXPECT_HAS(s, "50/200 [======>");
  EXPECT_HAS(s, "5.0 img/s, top-1 80.00%, ETA 30s");
  EXPECT_HAS(format_progress(200, 200, 125.0, 1), "200/200 [========================] 1.6 img/s");
  EXPECT_HAS(format_progress(200, 200, 125.0, 1), "2m05s");
}

TEST(PerfReport, DmaBytesAndTimePerLayerInTableAndJson) {
  std::vector<LayerInfo> layers{{"conv1", 1600, 0, 9, "tiles"}, {"pool1", 0, 10, 12, ""}};
  Perf p;
  p.measured = true;
  p.cycles = 250;
  p.array_dim = 4;
  p.clock_mhz = 50;
  p.dma_rd_bytes = 1000;
  p.dma_wr_bytes = 64;
  p.layers = {{200, 100, 900, 16}, {50, 0, 100, 48}};
  const std::string t = format_perf(layers, p);
  EXPECT_HAS(t, "DMA rd B");
  EXPECT_HAS(t, "4.0");  // conv1: 200 cycles / 50 MHz = 4 us
  EXPECT_HAS(t, "5.0 us at 50 MHz");
  EXPECT_HAS(t, "DMA 1000 B read / 64 B written");
  const std::string j = perf_json(layers, p);
  EXPECT_HAS(j, "\"network\": {\"macs\": 1600, \"cycles\": 250, \"mac_utilization\": 0.4, "
                "\"time_us\": 5, \"dma_rd_bytes\": 1000, \"dma_wr_bytes\": 64}");
  EXPECT_HAS(j, "{\"name\": \"conv1\", \"macs\": 1600, \"commands\": 10, \"ideal_cycles\": 100, "
                "\"dma_rd_bytes\": 900, \"dma_wr_bytes\": 16, \"cycles\": 200, "
                "\"mac_utilization\": 0.5, \"time_us\": 4}");
  EXPECT_HAS(j, "{\"name\": \"pool1\", \"macs\": 0, \"commands\": 3, \"ideal_cycles\": 0, "
                "\"dma_rd_bytes\": 100, \"dma_wr_bytes\": 48, \"cycles\": 50, "
                "\"mac_utilization\": 0, \"time_us\": 1}");
  p.measured = false;  // the golden model: DMA bytes per layer, no cycles
  EXPECT_EQ(perf_json(layers, p).find("\"cycles\": 200"), std::string::npos);
  EXPECT_HAS(format_perf(layers, p), "per-layer cycles not measured");
}

// ---- the binary ----

struct CliRun {
  int rc = -1;
  std::string out;
};

CliRun run_cli(const std::string& args) {
  CliRun r;
  FILE* p = ::popen((std::string(TESSERA_CLI_EXE) + " " + args + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Labels are chosen from tessera::ref's predictions: images 0, 2, 4 labelled with the reference
// top-1 class, 1, 3, 5 with another class, so top-1 accuracy must be exactly 3 of 6. The golden
// model, checked against the reference on every value, must agree.
TEST(EvalCli, FolderDatasetAccuracyFollowsReferenceLabels) {
  TempDir d;
  const onnx::Network net = onnx::import_onnx(kSeedModel);
  const std::vector<std::string> names = read_class_names(kSeedModel);
  const onnx::Value& in = image_input(net);
  for (int k = 0; k < 6; ++k) {
    const std::string tmp = d / ("tmp" + std::to_string(k) + ".png");
    write_png(tmp, 32, 32, 3, 100 + k);
    const RgbImage img = load_image(tmp, 32, 32);
    const onnx::Tensor y =
        onnx::run_reference(net, {{in.name, preprocess(img, in, Preprocess{})}}).at(0);
    const int pred = top_k(y, 1).at(0).first;
    const int label = k % 2 == 0 ? pred : (pred + 1) % 10;
    fs::create_directories(d / ("set/" + names[label]));
    fs::rename(tmp, d / ("set/" + names[label] + "/img" + std::to_string(k) + ".png"));
  }
  const CliRun r = run_cli("eval " + kSeedModel + " --dataset " + d / "set" +
                           " --backend isa --check --json " + d / "eval.json");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_HAS(r.out, "top-1 accuracy 50.00% (3/6)");
  EXPECT_HAS(r.out, "check: PASS, all 6 images bit-exact");
  std::ifstream j(d / "eval.json");
  const std::string json((std::istreambuf_iterator<char>(j)), {});
  EXPECT_HAS(json, "\"images\": 6,");
  EXPECT_HAS(json, "\"top1\": 3,");
  EXPECT_HAS(json, "\"disagreements\": []");
}

TEST(EvalCli, BadDatasetsExitOneNamingTheInput) {
  TempDir d;
  fs::create_directories(d / "empty");
  write_png(d / "flat/a.png", 8, 8, 3, 1);
  write_png(d / "gray/t-shirt/a.png", 32, 32, 1, 2);
  write_png(d / "undecodable/t-shirt/a.png", 32, 32, 3, 3);
  std::ofstream(d / "undecodable/t-shirt/b.png") << "garbage";
  fs::create_directories(d / "trunc");
  write_bytes(d / "trunc/t10k-images-idx3-ubyte.gz", idx_images(4, 32, 32, ramp(3 * 1024, 1)),
              true);
  write_bytes(d / "trunc/t10k-labels-idx1-ubyte.gz", idx_labels(4, {0, 1, 2, 3}), true);
  fs::create_directories(d / "count");
  write_bytes(d / "count/t10k-images-idx3-ubyte", idx_images(2, 32, 32, ramp(2048, 1)), false);
  write_bytes(d / "count/t10k-labels-idx1-ubyte", idx_labels(3, {0, 1, 2}), false);
  fs::create_directories(d / "idx");  // gray IDX images for the 3-channel model
  write_bytes(d / "idx/t10k-images-idx3-ubyte", idx_images(2, 28, 28, ramp(2 * 784, 3)), false);
  write_bytes(d / "idx/t10k-labels-idx1-ubyte", idx_labels(2, {0, 12}), false);
  const std::pair<std::string, std::string> cases[] = {
      {"missing", "missing': no such file or directory"},
      {"empty", "empty' is empty"},
      {"flat", "flat' has no class subfolders"},
      {"gray", "gray/t-shirt/a.png' has 1 channel (grayscale), model input 'input' wants 3"},
      {"undecodable", "undecodable/t-shirt/b.png': cannot decode it"},
      {"trunc", "trunc/t10k-images-idx3-ubyte.gz': truncated in the pixel data"},
      {"count", "holds 2 images"},
      {"idx", "t10k-images-idx3-ubyte #0' has 1 channel (grayscale)"},
  };
  for (const auto& [dir, msg] : cases) {
    const CliRun r = run_cli("eval " + kSeedModel + " --dataset " + d / dir + " --backend isa");
    EXPECT_EQ(r.rc, 1) << dir << ": " << r.out;
    EXPECT_HAS(r.out, msg);
  }
  // Converting channels explicitly gets past the channel check to the out-of-range label.
  const CliRun r = run_cli("eval " + kSeedModel + " --dataset " + d / "idx" +
                           " --backend isa --convert-channels");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "t10k-images-idx3-ubyte #1': label 12 is outside model output");
  EXPECT_EQ(run_cli("eval " + kSeedModel + " --dataset " + d / "idx" + " --backend ref --check")
                .rc,
            1);
}

TEST(RunCli, WrongChannelCountIsAnErrorUnlessConverted) {
  TempDir d;
  write_png(d / "gray.png", 32, 32, 1, 5);
  CliRun r = run_cli("run " + kSeedModel + " " + d / "gray.png" + " --backend ref");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "image '" + d / "gray.png" + "' has 1 channel (grayscale)");
  r = run_cli("run " + kSeedModel + " " + d / "gray.png" + " --backend ref --convert-channels");
  EXPECT_EQ(r.rc, 0) << r.out;
}

// A file laid out like /dev/mem: a register block reading 'TESS' at page 1 and a 4 MB DMA
// window at 8 MB. The program is compiled for the HW_* values, written into the window, the
// command registers are programmed and START is written; STATUS never shows DONE (it is a
// file), so the run times out after --timeout and the tool exits 1 saying so.
TEST(RunCli, MmioBackendOnAFileTimesOut) {
  TempDir d;
  const size_t page = size_t(::sysconf(_SC_PAGESIZE));
  const size_t win_at = size_t(8) << 20, win = size_t(4) << 20;
  std::vector<uint8_t> f(win_at + win, 0);
  auto put = [&](uint32_t off, uint32_t v) {
    for (int k = 0; k < 4; ++k) f[page + off + k] = uint8_t(v >> (8 * k));
  };
  put(isa::reg::kId, isa::kIdValue);
  put(isa::reg::kVersion, isa::kVersionValue);
  put(isa::reg::kHwArray, testutil::hw_array_word(16));
  put(isa::reg::kHwAbufWords, 4096);
  put(isa::reg::kHwWbufWords, 4096);
  put(isa::reg::kHwAccWords, 1024);
  put(isa::reg::kHwObufWords, 2048);
  put(isa::reg::kHwPbufWords, 64);
  put(isa::reg::kHwAxi, testutil::hw_axi_word(16, 32, 8));
  write_bytes(d / "mem", f, false);
  const std::string img =
      std::string(TESSERA_SOURCE_DIR) + "/models/images/fmnist_0_ankle-boot.png";
  const std::string mmio = " --backend mmio --mem-dev " + d / "mem" + " --devmem " +
                           std::to_string(page) + " --dma-phys " + std::to_string(win_at) +
                           " --dma-size " + std::to_string(win);
  CliRun r = run_cli("run " + kSeedModel + " " + img + mmio + " --timeout 0.2");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "backend mmio-0x");
  EXPECT_HAS(r.out, "program did not finish: timed out");
  std::ifstream in(d / "mem", std::ios::binary);
  std::vector<uint8_t> back((std::istreambuf_iterator<char>(in)), {});
  auto get = [&](uint32_t off) {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= uint32_t(back[page + off + k]) << (8 * k);
    return v;
  };
  EXPECT_EQ(get(isa::reg::kCtrl), isa::reg_bits::kCtrlStart);
  EXPECT_EQ(get(isa::reg::kWindowBase), win_at);
  EXPECT_EQ(get(isa::reg::kWindowSize), win);
  EXPECT_GT(get(isa::reg::kCmdCount), 10u);
  const uint32_t cmd = get(isa::reg::kCmdBase);
  ASSERT_GE(cmd, win_at);
  ASSERT_LT(cmd, win_at + win);
  isa::Command first{};
  std::memcpy(&first, &back[cmd], sizeof first);
  EXPECT_EQ(isa::get(first, isa::field::kOpcode), uint64_t(isa::Opcode::kLoad))
      << "command 0 written to the window";

  r = run_cli("run " + kSeedModel + " " + img + " --backend mmio --uio /dev/uio99");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "'/dev/uio99': no such UIO device");
  r = run_cli("run " + kSeedModel + " " + img + mmio + " --dim 8");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "has a 16x16 array, not --dim 8");
  r = run_cli("eval " + kSeedModel + " --dataset " + d.str() + " --backend isa --uio /dev/uio0");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "need --backend mmio");
}

// --backend uart: the port must be given and must open; the error names it. On a serial port
// nobody answers (a pseudo-terminal), the first frame times out and the tool exits 1 naming it.
TEST(RunCli, UartBackendErrorsNameThePortAndTheFrame) {
  const std::string img =
      std::string(TESSERA_SOURCE_DIR) + "/models/images/fmnist_0_ankle-boot.png";
  const std::string run = "run " + kSeedModel + " " + img;
  CliRun r = run_cli(run + " --backend uart --serial /nonexistent/tty9");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "uart /nonexistent/tty9: cannot open the serial port (No such file or "
                    "directory)");
  r = run_cli(run + " --backend uart");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "--backend uart needs --serial PATH");
  r = run_cli(run + " --backend isa --serial /dev/ttyUSB0");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "--serial / --baud: need --backend uart");
  r = run_cli(run + " --backend uart --serial /dev/null --baud 7");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "uart /dev/null: baud rate 7 is not one the port supports");

  testutil::Pty pty;
  r = run_cli(run + " --backend uart --serial " + pty.slave_path());
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_HAS(r.out, "tessera: error: uart " + pty.slave_path() +
                        ": no reply to 'R' 0x0000_0000 (expected 4 data bytes and a status "
                        "byte) within 501 ms");
  EXPECT_EQ(pty.read_available(), (std::vector<uint8_t>{'R', 0, 0, 0, 0}));
}

}  // namespace
}  // namespace tessera::cli
