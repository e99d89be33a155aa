// sd_notify without libsystemd (systemd_notify.h): the datagram systemd reads from $NOTIFY_SOCKET.
#include "app/systemd_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

namespace confpro::app {
namespace {

class SystemdNotifyTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  // A datagram socket bound to `name` (a path, or '@' + an abstract name), as systemd's.
  void listen_at(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (name[0] == '@')
      addr.sun_path[0] = '\0';
    else
      path_ = name;
    ASSERT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr),
                     static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())),
              0);
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  std::string received() {
    char buf[256];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  int fd_ = -1;
  std::string path_;
};

TEST_F(SystemdNotifyTest, SendsTheStateToTheSocketSystemdNamed) {
  listen_at(
      (std::filesystem::temp_directory_path() / ("confpro-notify-" + std::to_string(std::random_device{}())))
          .string());
  EXPECT_TRUE(notify_systemd("READY=1\nSTATUS=taking calls"));
  EXPECT_EQ(received(), "READY=1\nSTATUS=taking calls");
}

TEST_F(SystemdNotifyTest, AnAbstractSocketNameStartsWithAnAt) {
  listen_at("@confpro-notify-" + std::to_string(std::random_device{}()));
  EXPECT_TRUE(notify_systemd("STOPPING=1"));
  EXPECT_EQ(received(), "STOPPING=1");
}

TEST_F(SystemdNotifyTest, OutsideSystemdNothingIsSent) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(notify_systemd("READY=1"));
  ::setenv("NOTIFY_SOCKET", "relative/path", 1);
  EXPECT_FALSE(notify_systemd("READY=1"));
}

}  // namespace
}  // namespace confpro::app
