// Stats snapshots with single flight and last-good fallback (see stats_service.hpp).
#include "stats_service.hpp"

#include <chrono>

#include "app.hpp"
#include "valory/cpp/error.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

namespace {
int64_t systemNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}
}  // namespace

StatsService::StatsService(PlayerSource& source, StatsStore& store, StatsConfig config, Clock clock)
    : source_(source),
      store_(store),
      config_(config),
      clock_(clock ? std::move(clock) : Clock(&systemNowMs)) {}

std::shared_ptr<StatsService::Entry> StatsService::entry(const std::string& overlayId) {
    std::lock_guard lock(mapMutex_);
    auto& e = entries_[overlayId];
    if (!e) e = std::make_shared<Entry>();
    return e;
}

std::shared_ptr<const StatsSnapshot> StatsService::byOverlayId(const std::string& overlayId) {
    return serve(overlayId, std::nullopt);
}

std::shared_ptr<const StatsSnapshot> StatsService::byTwitchLogin(const std::string& login) {
    const std::string key = lower(login);
    std::string overlayId;
    {
        std::lock_guard lock(mapMutex_);
        auto it = loginToOverlay_.find(key);
        if (it != loginToOverlay_.end()) overlayId = it->second;
    }
    if (!overlayId.empty()) return serve(overlayId, std::nullopt);
    auto owner = store_.ownerByTwitchLogin(key);
    if (!owner) return nullptr;
    {
        std::lock_guard lock(mapMutex_);
        loginToOverlay_[key] = owner->overlayId;
    }
    const std::string id = owner->overlayId;
    return serve(id, std::move(owner));
}

std::shared_ptr<const StatsSnapshot> StatsService::serve(const std::string& overlayId,
                                                         std::optional<StatsOwner> known) {
    auto e = entry(overlayId);
    std::shared_ptr<const StatsSnapshot> snap;
    {
        std::lock_guard lock(e->m);
        snap = e->snapshot;
    }
    if (snap) noteDemand(overlayId, *e);
    if (snap && now() - snap->builtAtMs < config_.refreshMs) return snap;

    // One rebuild at a time per overlay: with a previous snapshot the others are served that one
    // meanwhile; without one they wait for the first build.
    std::unique_lock building(e->build, std::defer_lock);
    if (snap) {
        if (!building.try_lock()) return snap;
    } else {
        building.lock();
    }
    {
        std::lock_guard lock(e->m);
        if (e->snapshot && now() - e->snapshot->builtAtMs < config_.refreshMs) return e->snapshot;
        snap = e->snapshot;
    }
    std::optional<StatsOwner> owner = known ? std::move(known) : store_.ownerByOverlayId(overlayId);
    if (!owner) {
        std::lock_guard lock(mapMutex_);
        auto it = entries_.find(overlayId);
        if (it != entries_.end() && it->second == e) entries_.erase(it);
        return nullptr;
    }
    auto built = build(*owner, snap, false, nullptr);
    {
        std::lock_guard lock(e->m);
        e->snapshot = built;
        e->owner = owner;
    }
    noteDemand(overlayId, *e);
    if (!owner->twitchLogin.empty()) {
        std::lock_guard lock(mapMutex_);
        loginToOverlay_[lower(owner->twitchLogin)] = overlayId;
    }
    return built;
}

std::shared_ptr<const StatsSnapshot> StatsService::finish(json doc, bool good) {
    auto s = std::make_shared<StatsSnapshot>();
    s->body = doc.dump();
    s->etag = etagOf(s->body);
    s->builtAtMs = now();
    s->good = good;
    s->doc = std::move(doc);
    return s;
}

std::shared_ptr<const StatsSnapshot> StatsService::restamp(const StatsSnapshot& previous) {
    ++servedStale_;
    json doc = previous.doc;
    doc["stale"] = true;
    if (doc.contains("updated_at") && doc["updated_at"].is_string()) {
        if (auto at = parseIsoUtcMs(doc["updated_at"].get<std::string>()))
            doc["age_s"] = std::max<int64_t>(0, now() - *at) / 1000;
    }
    return finish(std::move(doc), true);
}

std::shared_ptr<const StatsSnapshot> StatsService::build(const StatsOwner& owner,
                                                         const std::shared_ptr<const StatsSnapshot>& previous,
                                                         bool fresh,
                                                         const std::map<std::string, int64_t>* live) {
    const auto hash = owner.riotId.rfind('#');
    if (owner.riotId.empty() || hash == std::string::npos || hash == 0 || hash + 1 == owner.riotId.size())
        return finish(emptyStats(owner.overlayId, "unlinked", ""), false);
    // A previous answer only counts as "last good" while it is about the same Riot ID.
    const bool previousGood = previous && previous->good &&
                              previous->doc.value("riot_id", json()).is_string() &&
                              lower(previous->doc["riot_id"].get<std::string>()) == lower(owner.riotId);
    if (keyBlocked(owner.apiKey)) {
        ++rateLimitedSkips_;
        if (previousGood) return restamp(*previous);
        return finish(emptyStats(owner.overlayId, "unavailable", owner.riotId), false);
    }
    ++builds_;
    try {
        const json account =
            source_.account(owner.riotId.substr(0, hash), owner.riotId.substr(hash + 1), owner.apiKey);
        const std::string puuid = account.value("puuid", ""), region = account.value("region", "");
        const json rank = source_.rank(puuid, region, owner.apiKey, fresh);
        std::vector<PlayedMatch> fetched;
        try {
            fetched = playedMatches(source_.matches(puuid, region, owner.apiKey, fresh));
        } catch (const sdk::Error& e) {  // the rank still shows; sessions count what was recorded
            ++upstreamFailures_;
            if (e.status() == VALORY_ERR_RATE_LIMITED) blockKey(owner.apiKey, e.detail());
        }
        const auto recorded = store_.recordMatches(puuid, fetched, config_.matchHistory);
        SessionInputs in;
        in.idleGapMs = config_.idleGapMs;
        in.nowMs = now();
        in.resetAtMs = owner.sessionResetAtMs;
        if (!owner.twitchLogin.empty()) {
            std::map<std::string, int64_t> own;
            if (!live) {
                try {
                    own = source_.liveSince({owner.twitchLogin});
                } catch (const sdk::Error&) {  // Twitch down: the session falls back to the idle gap
                    ++upstreamFailures_;
                }
                live = &own;
            }
            auto it = live->find(lower(owner.twitchLogin));
            if (it != live->end()) in.streamStartedAtMs = it->second;
        }
        const Session session = computeSession(recorded, in);
        return finish(buildStats(owner.overlayId, account, rank, recorded, session, in.nowMs), true);
    } catch (const sdk::Error& e) {
        ++upstreamFailures_;
        if (e.status() == VALORY_ERR_NOT_FOUND)
            return finish(emptyStats(owner.overlayId, "not_found", owner.riotId), false);
        if (e.status() == VALORY_ERR_RATE_LIMITED) blockKey(owner.apiKey, e.detail());
        if (previousGood) return restamp(*previous);
        return finish(emptyStats(owner.overlayId, "unavailable", owner.riotId), false);
    }
}

void StatsService::noteDemand(const std::string& overlayId, Entry& e) {
    const int64_t t = now();
    {
        std::lock_guard lock(e.m);
        if (e.lastDemandNoteMs && t - e.lastDemandNoteMs < config_.demandFlushMs) return;
        e.lastDemandNoteMs = t;
    }
    std::lock_guard lock(demandMutex_);
    pendingDemand_.push_back(overlayId);
}

void StatsService::flushDemand() {
    std::vector<std::string> ids;
    {
        std::lock_guard lock(demandMutex_);
        ids.swap(pendingDemand_);
    }
    if (!ids.empty()) store_.noteDemand(ids);
}

size_t StatsService::refreshDemanded() {
    flushDemand();
    const auto owners = store_.demandedSince(now() - config_.demandWindowMs);
    std::vector<std::string> logins;
    for (const auto& o : owners)
        if (!o.twitchLogin.empty()) logins.push_back(o.twitchLogin);
    std::map<std::string, int64_t> live;
    try {
        if (!logins.empty()) live = source_.liveSince(logins);  // batched by the twitch service
    } catch (const sdk::Error&) {  // Twitch down: sessions fall back to the idle gap this round
        ++upstreamFailures_;
    }
    size_t n = 0;
    for (const auto& owner : owners) {
        if (keyBlocked(owner.apiKey)) {  // stay inside the key's limit: its other players wait
            ++rateLimitedSkips_;
            continue;
        }
        auto e = entry(owner.overlayId);
        std::lock_guard building(e->build);
        std::shared_ptr<const StatsSnapshot> prev;
        {
            std::lock_guard lock(e->m);
            prev = e->snapshot;
        }
        auto built = build(owner, prev, false, &live);
        std::lock_guard lock(e->m);
        e->snapshot = built;
        e->owner = owner;
        ++n;
    }
    return n;
}

void StatsService::resetSession(const std::string& overlayId) {
    store_.resetSession(overlayId, now());
    invalidate(overlayId);
}

void StatsService::invalidate(const std::string& overlayId) {
    std::lock_guard lock(mapMutex_);
    entries_.erase(overlayId);
}

bool StatsService::keyBlocked(const std::string& apiKey) {
    std::lock_guard lock(keyMutex_);
    auto it = keyBlockedUntil_.find(apiKey);
    if (it == keyBlockedUntil_.end()) return false;
    if (now() >= it->second) {
        keyBlockedUntil_.erase(it);
        return false;
    }
    return true;
}

void StatsService::blockKey(const std::string& apiKey, int64_t waitMs) {
    std::lock_guard lock(keyMutex_);
    keyBlockedUntil_[apiKey] = now() + std::max<int64_t>(waitMs, 1000);
}

StatsService::Counters StatsService::counters() const {
    return Counters{builds_.load(), upstreamFailures_.load(), servedStale_.load(), rateLimitedSkips_.load()};
}

}  // namespace valory::plugins::overlays
