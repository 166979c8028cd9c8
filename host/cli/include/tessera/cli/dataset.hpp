// Labelled image sets for `tessera eval`: MNIST-style IDX files (Fashion-MNIST's t10k set, gzip
// or raw) or a folder with one subfolder per class, decoded with OpenCV. Every reader validates
// what it reads and throws std::runtime_error naming the file and the field that is wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/cli/cli.hpp"

namespace tessera::cli {

/// Pixels of an IDX image file (magic 0x00000803: unsigned bytes, 3 dimensions).
struct IdxImages {
  uint32_t count = 0;           // images in the file (header), even when fewer were read
  uint32_t rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // the images read, rows * cols bytes each, row-major
};

/// Reads the header and the first min(limit, count) images (limit 0: all) of an IDX image file,
/// gzip-compressed or raw. Errors name the file and the field (magic, count, rows, cols, or the
/// pixel data when the file is truncated).
IdxImages read_idx_images(const std::string& path, size_t limit = 0);

/// Labels of an IDX label file (magic 0x00000801).
struct IdxLabels {
  uint32_t count = 0;            // labels in the file (header)
  std::vector<uint8_t> labels;   // the labels read
};
IdxLabels read_idx_labels(const std::string& path, size_t limit = 0);

/// One labelled image, already resized to the model's H x W.
struct LabelledImage {
  RgbImage image;
  int label = 0;
  std::string source;  // the image file, or "<IDX file> #<index>"
};

struct Dataset {
  std::string path;
  bool idx = false;                      // IDX files (else a folder of class subfolders)
  std::vector<std::string> class_names;  // by label; empty for IDX files
  size_t available = 0;                  // images in the set, before --limit
  std::vector<LabelledImage> items;
};

/// IDX: the directory holds t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally
/// with .gz (Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist).
/// Folder: one subfolder per class (hidden entries ignored), every regular file in it is an
/// image. Labels follow model_classes when every subfolder name is one of them, else the sorted
/// subfolder names. Images are taken round-robin over the classes (first file of every class,
/// then the second, ...) so that `limit` samples every class.
/// limit 0 reads every image. Images are decoded (and resized to h x w) here, so a bad file
/// fails before any inference. Throws std::runtime_error naming the path: no such path, an empty
/// folder, a folder without class subfolders or without images, undecodable images, bad or
/// truncated IDX files, image / label count mismatch.
Dataset load_dataset(const std::string& path, int h, int w, size_t limit,
                     const std::vector<std::string>& model_classes);

}  // namespace tessera::cli
