#include "host_log.hpp"

#include "config/secret_masker.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

namespace valory::host {

namespace {

class MaskingChannel : public Poco::Channel {
  public:
    MaskingChannel(Poco::AutoPtr<Poco::Channel> next, SecretMasker& masker)
        : next_(std::move(next)), masker_(masker) {}

    void log(const Poco::Message& msg) override {
        const std::string& text = msg.getText();
        const bool multiline = text.find_first_of("\r\n") != std::string::npos;
        if (masker_.empty() && !multiline) {
            next_->log(msg);
            return;
        }
        Poco::Message copy(msg);
        std::string t = masker_.mask(text);
        if (multiline)
            for (auto& c : t)
                if (c == '\n' || c == '\r') c = ' ';
        copy.setText(t);
        next_->log(copy);
    }

  private:
    Poco::AutoPtr<Poco::Channel> next_;
    SecretMasker& masker_;
};

}  // namespace

void HostLog::setup(const std::string& level, SecretMasker& masker) {
    Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel);
    Poco::AutoPtr<Poco::PatternFormatter> formatter(
        new Poco::PatternFormatter("%Y-%m-%d %H:%M:%S.%i %p [%s] %t"));
    formatter->setProperty("times", "UTC");
    Poco::AutoPtr<Poco::FormattingChannel> formatting(new Poco::FormattingChannel(formatter, console));
    Poco::AutoPtr<MaskingChannel> masking(new MaskingChannel(formatting, masker));
    Poco::Logger::root().setChannel(masking);
    Poco::Logger::setChannel("", masking);
    setLevel(level);
}

void HostLog::setLevel(const std::string& level) {
    Poco::Logger::root().setLevel(level);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
}

}  // namespace valory::host
