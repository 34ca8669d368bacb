// Snapshots with [[view]]s: each view sees its own version of a zone and the default view's
// other zones; a reload that fails for a view's zone keeps that view's old version.
#include "server/serving_state.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hayate::server {
namespace {

const std::string kZones = std::string(HAYATE_TEST_ZONES) + "/server/";

zone::Name N(const std::string& text) {
  return zone::Name::from_text(text).value();
}

AnswerPolicy with_one_view() {
  AnswerPolicy policy;
  policy.view_names = {"europe"};
  policy.views = ViewTable({{Prefix::parse("192.0.2.0/24").value(), 1}});
  return policy;
}

std::vector<ZoneSource> sources(const std::string& europe_file) {
  return {ZoneSource{N("example.com."), kZones + "example.com.zone", Acl::loopback(), 0},
          ZoneSource{N("example.net."), kZones + "example.net.zone", Acl::loopback(), 0},
          ZoneSource{N("example.com."), europe_file, Acl::loopback(), 1}};
}

TEST(ServingStateViews, EachViewHasItsOwnVersionAndTheDefaultsOfTheRest) {
  auto state = build_serving_state(sources(kZones + "views/example.com.europe.zone"),
                                   with_one_view(), nullptr);
  ASSERT_EQ(state->view_zones.size(), 2u);
  EXPECT_EQ(state->view_zones[0], state->zones);
  EXPECT_EQ(state->zones->get(N("example.com."))->serial(), 2024112501u);
  EXPECT_EQ(state->view_zones[1]->get(N("example.com."))->serial(), 2024112599u);
  EXPECT_EQ(state->view_zones[1]->get(N("example.net.")), state->zones->get(N("example.net.")));
  ASSERT_EQ(state->tailored_origins.size(), 1u);
  EXPECT_TRUE(is_tailored(*state, N("www.example.com.")));
  EXPECT_TRUE(is_tailored(*state, N("example.com.")));
  EXPECT_FALSE(is_tailored(*state, N("www.example.net.")));
  EXPECT_EQ(view_name(state->policy, 1), "europe");
  EXPECT_EQ(view_name(state->policy, 0), "");
  ASSERT_EQ(state->zone_reports.size(), 3u);
  EXPECT_EQ(state->zone_reports[2].view, 1u);
}

TEST(ServingStateViews, AFailedReloadOfAViewZoneKeepsThatViewsOldVersion) {
  auto first = build_serving_state(sources(kZones + "views/example.com.europe.zone"),
                                   with_one_view(), nullptr);
  auto second =
      build_serving_state(sources(kZones + "views/broken.zone"), with_one_view(), first.get());
  const ZoneReport& report = second->zone_reports[2];
  EXPECT_TRUE(report.serving);
  EXPECT_TRUE(report.kept_old);
  EXPECT_EQ(report.serial, 2024112599u);
  EXPECT_EQ(second->view_zones[1]->get(N("example.com."))->serial(), 2024112599u);
  EXPECT_EQ(second->zones->get(N("example.com."))->serial(), 2024112501u);
}

// A view zone that never loaded is not served from the default version in its place either:
// the view falls back to the default zone, which is what it would see without its own.
TEST(ServingStateViews, AViewZoneThatNeverLoadedFallsBackToTheDefault) {
  auto state = build_serving_state(sources(kZones + "views/broken.zone"), with_one_view(), nullptr);
  EXPECT_FALSE(state->zone_reports[2].serving);
  EXPECT_EQ(state->view_zones[1]->get(N("example.com.")), state->zones->get(N("example.com.")));
}

}  // namespace
}  // namespace hayate::server
