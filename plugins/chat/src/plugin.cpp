// chat plugin: GET /api/chat/{twitch_login} -> one plain-text line for a chat bot's `!rank`,
// read from the overlays plugin through overlays/1 (the SDK alone; no Valory code is linked).
#include "chat_line.hpp"
#include "valory/cpp/overlays.hpp"
#include "valory/cpp/plugin.hpp"

namespace valory::plugins::chat {
namespace {

class ChatPlugin : public sdk::Plugin {
  public:
    ChatPlugin(sdk::Host host, const sdk::CreateArgs& args)
        : Plugin(std::move(host)), templates_(ChatTemplates::fromSettings(args.settings)) {}

    void start() override {
        overlays_ = std::make_unique<sdk::Overlays>(host().acquire<sdk::Overlays>());
        route_ = host().route("GET", "/api/chat/{twitch_login}",
                              [this](const sdk::Request& rq, sdk::Response& rs) { answer(rq, rs); });
    }
    void stop() override {
        route_ = {};
        overlays_.reset();
    }

  private:
    void answer(const sdk::Request& rq, sdk::Response& rs) const {
        const std::string login(rq.param("twitch_login").value_or(""));
        std::string line;
        if (!validLogin(login)) {
            line = unknownLine(templates_, login);
        } else {
            try {
                line = chatLine(templates_, login, overlays_->statsByLogin(login));
            } catch (const sdk::Error& e) {
                if (e.status() == VALORY_ERR_NOT_FOUND || e.status() == VALORY_ERR_INVALID_ARGUMENT) {
                    line = unknownLine(templates_, login);
                } else {
                    host().warn(std::string("overlays/1 stats failed: ") + e.what());
                    line = unavailableLine(templates_, login);
                }
            }
        }
        // Bots post the body as it is: always 200 and one line of text, also for the safe texts.
        rs.status(200)
            .header("Content-Type", "text/plain; charset=utf-8")
            .header("Cache-Control", "no-cache")
            .body(line);
    }

    ChatTemplates templates_;
    std::unique_ptr<sdk::Overlays> overlays_;
    sdk::Route route_;
};

}  // namespace
}  // namespace valory::plugins::chat

VALORY_PLUGIN(valory::plugins::chat::ChatPlugin, "chat", "1.0.0")
