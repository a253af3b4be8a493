// ABI layout freeze at run time: the v1.0 table (C, frozen headers), the current table (C, sdk
// headers), the same table computed by C++ (current headers) and the recorded v1.0 numbers must
// agree: offsets, field sizes, alignments and constants equal; struct sizes only grow.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "layout_probe.h"
#include "valory/valory.h"

#include "valory/cache.h"
#include "valory/http_client.h"
#include "valory/riot.h"
#include "valory/sql.h"
#include "valory/twitch.h"

namespace {

std::vector<valory_layout_entry> table(const valory_layout_entry* (*fn)(size_t*)) {
    size_t n = 0;
    const valory_layout_entry* e = fn(&n);
    return {e, e + n};
}

std::vector<valory_layout_entry> cppTable() {
#define VALORY_STRUCT(T) {#T, "", (int64_t)sizeof(T), (int64_t)alignof(T)},
#define VALORY_FIELD(T, F) {#T, #F, (int64_t)offsetof(T, F), (int64_t)sizeof(((T*)nullptr)->F)},
#define VALORY_CONST(C) {"const", #C, (int64_t)(C), 0},
    return {
#include "layout_fields.inc"
#include "layout_consts.inc"
    };
#undef VALORY_STRUCT
#undef VALORY_FIELD
#undef VALORY_CONST
}

std::vector<valory_layout_entry> recorded() {
#define VALORY_FREEZE_SIZE(T, S, A) {#T, "", S, A},
#define VALORY_FREEZE_FIELD(T, F, O, S) {#T, #F, O, S},
#define VALORY_FREEZE_CONST(C, V) {"const", #C, V, 0},
    return {
#include "layout_v1_0_frozen.inc"
    };
#undef VALORY_FREEZE_SIZE
#undef VALORY_FREEZE_FIELD
#undef VALORY_FREEZE_CONST
}

std::string name(const valory_layout_entry& e) {
    return std::string(e.type) + (e.field[0] ? "." : "") + e.field;
}

void expectCompatible(const std::vector<valory_layout_entry>& base,
                      const std::vector<valory_layout_entry>& now, const char* what, bool sizesMayGrow) {
    ASSERT_EQ(base.size(), now.size()) << what;
    for (size_t i = 0; i < base.size(); ++i) {
        const auto& b = base[i];
        const auto& n = now[i];
        ASSERT_EQ(name(b), name(n)) << what << " row " << i;
        bool structRow = std::string(b.type) != "const" && b.field[0] == '\0';
        if (structRow && sizesMayGrow)
            EXPECT_GE(n.a, b.a) << what << ": sizeof(" << name(b) << ") shrank";
        else
            EXPECT_EQ(n.a, b.a) << what << ": " << name(b) << (structRow ? " size" : " offset/value")
                                << " changed";
        EXPECT_EQ(n.b, b.b) << what << ": " << name(b) << (structRow ? " alignment" : " size") << " changed";
    }
}

}  // namespace

TEST(AbiLayout, FrozenHeadersMatchTheRecordedV1_0Layout) {
    expectCompatible(recorded(), table(valory_layout_v1_0), "frozen v1.0 headers vs recorded", false);
}

TEST(AbiLayout, CurrentHeadersKeepEveryV1_0OffsetAndConstant) {
    expectCompatible(table(valory_layout_v1_0), table(valory_layout_current), "current headers vs v1.0",
                     true);
}

TEST(AbiLayout, CAndCxxAgreeOnTheCurrentLayout) {
    expectCompatible(table(valory_layout_current), cppTable(), "C++ vs C", false);
}

TEST(AbiLayout, CoversEveryStructOfV1_0) {
    size_t structs = 0, fields = 0, consts = 0;
    for (const auto& e : recorded()) {
        if (std::string(e.type) == "const")
            ++consts;
        else if (e.field[0])
            ++fields;
        else
            ++structs;
    }
    // Core: every typedef struct of abi/log/config/services/http/events/metrics/scheduler/plugin.h
    // (22 structs, 153 fields, 54 constants). Services: every typedef struct of http_client, sql,
    // cache, twitch and riot.h (15 structs, 110 fields, 37 constants).
    EXPECT_EQ(structs, 22u + 15u);
    EXPECT_EQ(fields, 153u + 110u);
    EXPECT_EQ(consts, 54u + 37u);
    EXPECT_EQ(VALORY_ABI_MAJOR, 1);
}
