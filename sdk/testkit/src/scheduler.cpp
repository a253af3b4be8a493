// The fake host's scheduler: jobs are recorded, and run only when a test asks (runJob).
#include <algorithm>
#include <stdexcept>

#include "fake_host_state.hpp"

namespace valory::testkit {
namespace {

// scheduler
valory_status addJob(valory_host* h, const valory_job_def* def, valory_job** out, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    if (!st->mayRegister(r)) return fail(err, VALORY_ERR_STATE, "add_job outside start() by plugin " + r->id);
    if (!def || !def->name || !def->fn || def->interval_ms == 0)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "add_job: NULL name/fn or zero interval");
    for (auto& j : st->jobs)
        if (j->owner == r && j->info.name == def->name)
            return fail(err, VALORY_ERR_CONFLICT,
                        std::string("job ") + def->name + " already exists in plugin " + r->id);
    auto j = std::make_shared<JobRec>();
    j->owner = r;
    j->info = JobInfo{r->id, def->name, def->interval_ms, def->jitter_ms, def->flags, 0};
    j->fn = def->fn;
    j->user = def->user;
    if (out) *out = reinterpret_cast<valory_job*>(j.get());
    st->jobs.push_back(std::move(j));
    return VALORY_OK;
}
valory_status cancelJob(valory_host* h, valory_job* job, uint64_t, valory_error* err) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    for (auto it = st->jobs.begin(); it != st->jobs.end(); ++it)
        if (reinterpret_cast<valory_job*>(it->get()) == job) {
            st->jobs.erase(it);
            return VALORY_OK;
        }
    return fail(err, VALORY_ERR_NOT_FOUND, "cancel_job: unknown job");
}
valory_status triggerJob(valory_host* h, valory_job* job, valory_error* err) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    for (auto& j : st->jobs)
        if (reinterpret_cast<valory_job*>(j.get()) == job) {
            ++j->info.triggers;
            return VALORY_OK;
        }
    return fail(err, VALORY_ERR_NOT_FOUND, "trigger_job: unknown job");
}

}  // namespace

valory_scheduler_api makeSchedulerApi() {
    return valory_scheduler_api{sizeof(valory_scheduler_api), addJob, cancelJob, triggerJob};
}

std::vector<JobInfo> FakeHost::jobs() const {
    std::lock_guard lock(state_->mutex);
    std::vector<JobInfo> out;
    for (auto& j : state_->jobs) out.push_back(j->info);
    return out;
}

bool FakeHost::hasJob(const std::string& name) const {
    std::lock_guard lock(state_->mutex);
    return std::any_of(state_->jobs.begin(), state_->jobs.end(),
                       [&](const auto& j) { return j->info.name == name; });
}

valory_status FakeHost::runJob(const std::string& name, std::string* error) {
    std::shared_ptr<JobRec> job;
    {
        std::lock_guard lock(state_->mutex);
        for (auto& j : state_->jobs)
            if (j->info.name == name) {
                job = j;
                break;
            }
    }
    if (!job) throw std::out_of_range("FakeHost::runJob: no job named " + name);
    valory_error err;
    valory_error_init(&err);
    valory_status s = job->fn(job->user, &err);
    if (error) *error = s == VALORY_OK ? std::string() : std::string(err.message);
    valory_job_finished_event ev{};
    ev.struct_size = sizeof ev;
    ev.plugin_id = str(job->info.plugin);
    ev.job_name = str(job->info.name);
    ev.status = s;
    ev.duration_us = 1;
    std::string msg = err.message;
    ev.message = str(msg);
    state_->deliver(VALORY_EVENT_JOB_FINISHED, &ev);
    return s;
}

}  // namespace valory::testkit
