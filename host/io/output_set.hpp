// A directory of outputs published all at once. Files are written into a fresh staging directory beside the output
// directory; publish() swaps it in with one rename (Linux renameat2 RENAME_EXCHANGE, or a plain rename when the
// directory does not exist yet), then removes the previous set. Whatever happens before the swap (an error, a full
// disk, SIGKILL, SIGINT, SIGTERM), the directory keeps exactly its previous contents; after it, exactly the new set.
//
// Entries of the directory that this run does not write (files of other kseg commands, the user's own files) are
// carried into the staging directory as hard links just before the swap (copies where a link is refused;
// subdirectories recreated, symbolic links copied as links), so they survive unchanged; an entry this run writes
// replaces the old one whole (a subdirectory is not merged); drop() withdraws names the run replaces by another form. A
// directory that does not exist yet, nor its missing parents, is created only at publish: a failed run creates nothing.
// Staging directories left by a killed run are removed by the next run into the same directory. A directory holding
// more than 100,000 entries kseg did not write is refused at publish (it is not an output directory, and carrying it
// would take long): give a dedicated --out.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kseg {

class SignalCleanupPath;

class OutputSet {
 public:
  // dir: the output directory as the user gave it; option: how to name it in errors ("--out"). UsageError for an
  // empty dir or one that holds the working directory (swapping it would leave the shell in a deleted directory);
  // DataError when the staging directory cannot be made ("cannot create directory DIR: reason").
  explicit OutputSet(const std::string& dir, const std::string& option = "--out");
  // Unless published: removes the staging directory and everything written into it. Never throws.
  ~OutputSet();
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  // The directory to write into (inside the staging directory; it exists).
  const std::string& path() const { return path_; }
  // The output directory as given, for messages.
  const std::string& dir() const { return dir_; }
  // A top-level entry of the previous set that this run withdraws (not carried over), e.g. "segments.parts".
  void drop(const std::string& name) { dropped_.push_back(name); }
  // Carries the previous set's other entries in and swaps; DataError naming the directory on failure, after which
  // the directory still holds the previous set.
  void publish();

 private:
  void carry(const std::string& from, const std::string& to, bool top, int64_t& carried) const;

  std::string dir_;
  std::string target_;   // absolute path renamed at publish: the directory, or its first missing ancestor
  std::string staging_;  // the staging directory, beside target_
  std::string path_;     // where outputs go: staging_, or staging_/<missing parts below target_>
  bool existed_ = false;
  bool published_ = false;
  std::vector<std::string> dropped_;
  std::unique_ptr<SignalCleanupPath> cleanup_;
};

// A path inside a staging directory as the user knows it ("/x/.out.kseg-staging.12.AbCdEf/model.json" →
// "/x/out/model.json"), for messages; other paths unchanged.
std::string output_path_shown(const std::string& path);

// Whether name is a staging directory of target (".<target>.kseg-staging.<pid>.XXXXXX") and its process is gone.
bool output_set_stale(const std::string& name, const std::string& target);

}  // namespace kseg
