// One GPU per node-local rank: the device ordinal each process of an MPI job picks for --device, as a pure function
// (the GPU path itself cannot run without a GPU).
#include <gtest/gtest.h>

#include <cstdlib>

#include "app/backend_select.hpp"
#include "host/comm/communicator.hpp"

namespace kseg {
namespace {

TEST(DeviceChoose, CudaAndAutoTakeNodeRankModuloDevices) {
  for (const char* device : {"cuda", "auto"}) {
    SCOPED_TRACE(device);
    EXPECT_EQ(cuda_device_choose(device, 0, 1), 0);  // one process, one GPU
    EXPECT_EQ(cuda_device_choose(device, 0, 4), 0);
    EXPECT_EQ(cuda_device_choose(device, 1, 4), 1);
    EXPECT_EQ(cuda_device_choose(device, 3, 4), 3);
    EXPECT_EQ(cuda_device_choose(device, 4, 4), 0);  // more ranks than GPUs on the node: shared round robin
    EXPECT_EQ(cuda_device_choose(device, 7, 4), 3);
    EXPECT_EQ(cuda_device_choose(device, 5, 2), 1);
    EXPECT_EQ(cuda_device_choose(device, 2, 0), -1);  // no GPU
  }
}

TEST(DeviceChoose, ExplicitOrdinalIsKeptOnEveryRank) {
  for (int rank : {0, 1, 5}) {
    EXPECT_EQ(cuda_device_choose("cuda:0", rank, 4), 0);
    EXPECT_EQ(cuda_device_choose("cuda:2", rank, 4), 2);
    EXPECT_EQ(cuda_device_choose("cuda:7", rank, 4), 7);  // out of range: backend_create reports it
  }
  EXPECT_EQ(cuda_device_choose("cpu", 1, 4), -1);
  EXPECT_EQ(cuda_device_choose("cuda:x", 1, 4), -1);
}

TEST(DeviceChoose, NodeRankFromLauncherEnvironment) {
  unsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
  unsetenv("MPI_LOCALRANKID");
  unsetenv("SLURM_STEP_ID");
  EXPECT_EQ(node_rank_from_environment(), 0);
  setenv("MPI_LOCALRANKID", "2", 1);
  EXPECT_EQ(node_rank_from_environment(), 2);
  setenv("OMPI_COMM_WORLD_LOCAL_RANK", "3", 1);  // OpenMPI's name first
  EXPECT_EQ(node_rank_from_environment(), 3);
  unsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
  unsetenv("MPI_LOCALRANKID");
  setenv("SLURM_LOCALID", "1", 1);
  EXPECT_EQ(node_rank_from_environment(), 0);  // SLURM_LOCALID counts only inside a job step
  setenv("SLURM_STEP_ID", "0", 1);
  EXPECT_EQ(node_rank_from_environment(), 1);
  unsetenv("SLURM_STEP_ID");
  unsetenv("SLURM_LOCALID");
  EXPECT_EQ(single_process().node_rank(), 0);
}

}  // namespace
}  // namespace kseg
