// The Prometheus text exposition format (version 0.0.4): `# HELP` / `# TYPE` once per family,
// label values escaped (\\, \", \n), HELP escaped (\\, \n), values as shortest round-trip decimals
// with NaN / +Inf / -Inf spelled as Prometheus expects.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace valory::plugins::monitoring::prom {

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string escapeLabelValue(std::string_view v);
std::string escapeHelp(std::string_view v);
std::string formatValue(double v);
bool validMetricName(std::string_view name) noexcept;
bool validLabelName(std::string_view name) noexcept;

class Writer {
  public:
    /// Starts a family: `# HELP name help` and `# TYPE name type` (counter, gauge, histogram).
    void family(std::string_view name, std::string_view help, std::string_view type);
    /// One sample line; `name` may carry a suffix (_bucket, _sum, _count) of the current family.
    void sample(std::string_view name, const Labels& labels, double value);
    /// A histogram series: _bucket lines (cumulative, `le` as given plus +Inf), then _sum, _count.
    /// `upperBounds` and `cumulative` must have n and n + 1 entries.
    void histogram(std::string_view name, const Labels& labels, const std::vector<double>& upperBounds,
                   const std::vector<unsigned long long>& cumulative, double sum);

    const std::string& text() const noexcept { return out_; }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

}  // namespace valory::plugins::monitoring::prom
