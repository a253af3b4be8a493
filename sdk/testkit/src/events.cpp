// The fake host's events: subscriptions, publish, delivery.
#include "fake_host_state.hpp"

namespace valory::testkit {
namespace {

// events
valory_status subscribe(valory_host* h, valory_event_type type, valory_event_fn fn, void* user,
                        valory_subscription** out, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    if (!st->mayRegister(r))
        return fail(err, VALORY_ERR_STATE, "subscribe outside start() by plugin " + r->id);
    if (!fn || type < VALORY_EVENT_REQUEST_FINISHED || type > VALORY_EVENT_CUSTOM)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "subscribe: bad event type or NULL callback");
    auto s = std::make_shared<SubRec>();
    s->owner = r;
    s->type = type;
    s->fn = fn;
    s->user = user;
    if (out) *out = reinterpret_cast<valory_subscription*>(s.get());
    st->subs.push_back(std::move(s));
    return VALORY_OK;
}
void unsubscribe(valory_host* h, valory_subscription* sub) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    st->subs.erase(
        std::remove_if(st->subs.begin(), st->subs.end(),
                       [&](const auto& s) { return reinterpret_cast<valory_subscription*>(s.get()) == sub; }),
        st->subs.end());
}
valory_status publish(valory_host* h, valory_str name, valory_str payload, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    if (name.size == 0) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "publish: empty event name");
    {
        std::lock_guard lock(st->mutex);
        st->publishedEvents.push_back(PublishedEvent{r->id, toString(name), toString(payload)});
    }
    valory_custom_event ev{};
    ev.struct_size = sizeof ev;
    ev.publisher = str(r->id);
    ev.name = name;
    ev.payload_json = payload;
    st->deliver(VALORY_EVENT_CUSTOM, &ev);
    return VALORY_OK;
}

}  // namespace

valory_event_api makeEventApi() {
    return valory_event_api{sizeof(valory_event_api), subscribe, unsubscribe, publish};
}

std::vector<PublishedEvent> FakeHost::published() const {
    std::lock_guard lock(state_->mutex);
    return state_->publishedEvents;
}

void FakeHost::emit(valory_event_type type, const void* event) {
    state_->deliver(type, event);
}

size_t FakeHost::subscriberCount(valory_event_type type) const {
    std::lock_guard lock(state_->mutex);
    return static_cast<size_t>(std::count_if(state_->subs.begin(), state_->subs.end(),
                                             [&](const auto& s) { return s->type == type; }));
}

void FakeHost::setPublishRequestFinished(bool on) {
    state_->publishRequestFinished = on;
}

}  // namespace valory::testkit
