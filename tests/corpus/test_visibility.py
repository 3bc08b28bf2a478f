"""Who may quote what: a chat's own articles, its feeds', its private channels', and everyone's."""

from __future__ import annotations

from corpus.store import EVERYONE
from corpus.visibility import Visibility

GROUP, SUPERGROUP, CHANNEL, FEED = -500, -100500, -100900, 3


def test_a_group_that_became_a_supergroup_sees_under_its_new_id_what_it_saw_and_the_old_id_nothing():
    visibility = Visibility()
    visibility.grant(GROUP, "own")
    visibility.grant(SUPERGROUP, "written-after-the-move")
    visibility.grant(EVERYONE, "shared")
    visibility.add_to_feed(FEED, "from-the-feed")
    visibility.follow(GROUP, FEED)
    visibility.grant(CHANNEL, "channel-post")
    visibility.set_audience(CHANNEL, [GROUP])

    visibility.move_chat(GROUP, SUPERGROUP)

    sees = visibility.rule_for(SUPERGROUP)
    assert all(map(sees, ["own", "written-after-the-move", "shared", "from-the-feed", "channel-post"]))
    old = visibility.rule_for(GROUP)
    assert old("shared") and not any(map(old, ["own", "from-the-feed", "channel-post"]))
