// Labelled image sets for `tessera eval` (see tessera/cli/dataset.hpp).
#include "tessera/cli/dataset.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace tessera::cli {

namespace fs = std::filesystem;

namespace {

constexpr uint32_t kIdxImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
// Sanity bounds that keep a corrupt header from asking for gigabytes.
constexpr uint32_t kIdxMaxSide = 4096;
constexpr uint32_t kIdxMaxCount = 100'000'000;

std::string hex32(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

// gzread reads gzip and, transparently, uncompressed files: one reader for both forms.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
    if (!f_)
      throw std::runtime_error("IDX file '" + path + "': cannot open it (" +
                               std::strerror(errno) + ")");
  }
  ~GzFile() { gzclose(f_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  /// Reads exactly n bytes; a short read is a truncated file, reported with `what`.
  void read(void* dst, size_t n, const std::string& what) {
    size_t got = 0;
    while (got < n) {
      const unsigned chunk = unsigned(std::min<size_t>(n - got, 1u << 30));
      const int r = gzread(f_, static_cast<uint8_t*>(dst) + got, chunk);
      if (r < 0) {
        int code = 0;
        const char* msg = gzerror(f_, &code);
        throw std::runtime_error("IDX file '" + path_ + "': " + what + ": read error (" + msg +
                                 ")");
      }
      if (r == 0) break;
      got += size_t(r);
    }
    if (got < n)
      throw std::runtime_error("IDX file '" + path_ + "': truncated in the " + what + " (needs " +
                               std::to_string(n) + " bytes, the file has " +
                               std::to_string(got) + ")");
  }

  uint32_t read_be32(const std::string& field) {
    uint8_t b[4];
    read(b, 4, "header field '" + field + "'");
    return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  gzFile f_;
};

void expect_magic(GzFile& f, uint32_t want, const char* kind) {
  const uint32_t magic = f.read_be32("magic");
  if (magic != want)
    throw std::runtime_error("IDX file '" + f.path() + "': field 'magic' is " + hex32(magic) +
                             ", expected " + hex32(want) + " (" + kind + ")");
}

uint32_t read_dim(GzFile& f, const std::string& field, uint32_t lo, uint32_t hi) {
  const uint32_t v = f.read_be32(field);
  if (v < lo || v > hi)
    throw std::runtime_error("IDX file '" + f.path() + "': field '" + field + "' is " +
                             std::to_string(v) + ", expected " + std::to_string(lo) + ".." +
                             std::to_string(hi));
  return v;
}

size_t take(size_t count, size_t limit) { return limit ? std::min<size_t>(count, limit) : count; }

bool hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

// "<dir>/<name>" or "<dir>/<name>.gz", whichever exists (empty when neither).
std::string find_idx(const fs::path& dir, const std::string& name) {
  for (const std::string& n : {name, name + ".gz"})
    if (fs::is_regular_file(dir / n)) return (dir / n).string();
  return {};
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path, int h, int w,
                 size_t limit) {
  const IdxLabels labels = read_idx_labels(labels_path, limit);
  const IdxImages images = read_idx_images(images_path, limit);
  if (labels.count != images.count)
    throw std::runtime_error("IDX files disagree: '" + images_path + "' holds " +
                             std::to_string(images.count) + " images, '" + labels_path +
                             "' holds " + std::to_string(labels.count) + " labels");
  Dataset d;
  d.idx = true;
  d.available = images.count;
  const size_t n = labels.labels.size(), px = size_t(images.rows) * images.cols;
  for (size_t i = 0; i < n; ++i) {
    RgbImage img;
    img.h = int(images.rows);
    img.w = int(images.cols);
    img.channels = 1;
    img.rgb.resize(px * 3);
    for (size_t k = 0; k < px; ++k)
      std::fill_n(&img.rgb[k * 3], 3, images.pixels[i * px + k]);
    d.items.push_back({resize_image(img, h, w), int(labels.labels[i]),
                       images_path + " #" + std::to_string(i)});
  }
  return d;
}

Dataset load_folder(const fs::path& root, int h, int w, size_t limit,
                    const std::vector<std::string>& model_classes) {
  std::vector<std::string> classes;
  bool any_entry = false;
  for (const auto& e : fs::directory_iterator(root)) {
    if (hidden(e.path())) continue;
    any_entry = true;
    if (e.is_directory()) classes.push_back(e.path().filename().string());
  }
  if (!any_entry) throw std::runtime_error("dataset folder '" + root.string() + "' is empty");
  if (classes.empty())
    throw std::runtime_error(
        "dataset folder '" + root.string() +
        "' has no class subfolders (expected <folder>/<class>/<image>, or the IDX files "
        "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz])");
  std::sort(classes.begin(), classes.end());

  // The model's class order wins when it names every subfolder (labels then match its outputs).
  const bool by_model = std::all_of(classes.begin(), classes.end(), [&](const std::string& c) {
    return std::find(model_classes.begin(), model_classes.end(), c) != model_classes.end();
  });
  Dataset d;
  d.class_names = by_model ? model_classes : classes;

  std::vector<std::vector<fs::path>> files(classes.size());
  for (size_t c = 0; c < classes.size(); ++c) {
    for (const auto& e : fs::directory_iterator(root / classes[c]))
      if (!hidden(e.path()) && e.is_regular_file()) files[c].push_back(e.path());
    std::sort(files[c].begin(), files[c].end());
    d.available += files[c].size();
  }
  if (d.available == 0)
    throw std::runtime_error("dataset folder '" + root.string() +
                             "' has class subfolders but no image files in them");
  const size_t n = take(d.available, limit);
  for (size_t round = 0; d.items.size() < n; ++round)
    for (size_t c = 0; c < classes.size() && d.items.size() < n; ++c) {
      if (round >= files[c].size()) continue;
      const std::string p = files[c][round].string();
      const int label = by_model ? int(std::find(model_classes.begin(), model_classes.end(),
                                                 classes[c]) -
                                       model_classes.begin())
                                 : int(c);
      d.items.push_back({load_image(p, h, w), label, p});
    }
  return d;
}

}  // namespace

IdxImages read_idx_images(const std::string& path, size_t limit) {
  GzFile f(path);
  expect_magic(f, kIdxImagesMagic, "unsigned-byte images, 3 dimensions");
  IdxImages r;
  r.count = read_dim(f, "count", 0, kIdxMaxCount);
  r.rows = read_dim(f, "rows", 1, kIdxMaxSide);
  r.cols = read_dim(f, "cols", 1, kIdxMaxSide);
  const size_t n = take(r.count, limit);
  r.pixels.resize(n * r.rows * r.cols);
  f.read(r.pixels.data(), r.pixels.size(),
         "pixel data of " + std::to_string(n) + " images of " + std::to_string(r.rows) + "x" +
             std::to_string(r.cols));
  return r;
}

IdxLabels read_idx_labels(const std::string& path, size_t limit) {
  GzFile f(path);
  expect_magic(f, kIdxLabelsMagic, "unsigned-byte labels, 1 dimension");
  IdxLabels r;
  r.count = read_dim(f, "count", 0, kIdxMaxCount);
  r.labels.resize(take(r.count, limit));
  f.read(r.labels.data(), r.labels.size(),
         "label data of " + std::to_string(r.labels.size()) + " labels");
  return r;
}

Dataset load_dataset(const std::string& path, int h, int w, size_t limit,
                     const std::vector<std::string>& model_classes) {
  const fs::path root(path);
  std::error_code ec;
  if (!fs::exists(root, ec))
    throw std::runtime_error("dataset '" + path + "': no such file or directory");
  if (!fs::is_directory(root))
    throw std::runtime_error("dataset '" + path +
                             "' is not a directory (expected IDX files or one subfolder per "
                             "class)");
  const std::string images = find_idx(root, "t10k-images-idx3-ubyte");
  const std::string labels = find_idx(root, "t10k-labels-idx1-ubyte");
  Dataset d;
  if (!images.empty() || !labels.empty()) {
    if (images.empty() || labels.empty())
      throw std::runtime_error("dataset '" + path + "': has " + (images.empty() ? labels : images) +
                               " but not " +
                               (images.empty() ? "t10k-images-idx3-ubyte[.gz]"
                                               : "t10k-labels-idx1-ubyte[.gz]"));
    d = load_idx(images, labels, h, w, limit);
  } else {
    d = load_folder(root, h, w, limit, model_classes);
  }
  d.path = path;
  if (d.items.empty()) throw std::runtime_error("dataset '" + path + "' holds no images");
  return d;
}

}  // namespace tessera::cli
