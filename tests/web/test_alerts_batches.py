"""The worker's alerts check of a large batch takes its sites in groups of bounded readings
(``outfall.alerts.batches``) and finds the same alerts as one check of every site."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.test import TestCase

from alerts_fixtures import T0, add_readings, make_section
from factories import make_towns, make_users
from outfall.alerts import checking
from outfall.alerts.batches import pack, site_batches
from outfall.alerts.models import Alert


def _alerts():
    return sorted(Alert.objects.values_list("section__code", "parameter", "rule", "opened_at", "readings_count"))


class SiteBatchesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        town, other = make_towns()
        cls.admin = make_users(town, other)["admin"]
        cls.sections = [make_section(f"370285S{n:02d}", town=town) for n in range(1, 5)]
        for n, s in enumerate(cls.sections):  # class III NH3N limit 1.0: runs over, then back
            add_readings(s, [0.5, 1.8, 1.9, 2.0 + n, 0.4, 0.3, 1.6, 0.2][: 5 + n])

    def test_small_batches_find_what_one_check_finds(self):
        ids = [s.pk for s in self.sections]
        whole = checking.check_readings_written(ids, [], T0, self.admin)
        expected = _alerts()
        self.assertTrue(expected)
        Alert.objects.all().delete()
        calls = []
        real = checking.check_alerts

        def spy(**kwargs):
            calls.append(kwargs["sections"])
            return real(**kwargs)

        with mock.patch("outfall.alerts.batches.CHECK_BATCH_READINGS", 12), \
                mock.patch.object(checking, "check_alerts", side_effect=spy):
            parts = checking.check_readings_written(ids, [], T0, self.admin)
        self.assertEqual(calls, [[ids[0], ids[1]], [ids[2]], [ids[3]]])  # 5 + 6 readings, then 7, then 8
        self.assertEqual(_alerts(), expected)
        self.assertEqual(len(parts), len(whole))

    def test_one_group_when_everything_fits(self):
        ids = [s.pk for s in self.sections]
        self.assertEqual(site_batches(ids, [], T0), [(sorted(ids), [])])
        self.assertEqual(site_batches([], [], T0), [])

    def test_groups_count_readings_since_the_batch_start_only(self):
        ids = [s.pk for s in self.sections]
        late = T0 + dt.timedelta(hours=4 * 5)  # from the 6th reading on: 0, 1, 2 and 3 readings
        self.assertEqual(site_batches(ids, [], late, budget=1), [([ids[0], ids[1]], []), ([ids[2]], []), ([ids[3]], [])])

    def test_pack(self):
        self.assertEqual(pack([], 3), [])
        self.assertEqual(pack([(1, 4)], 3), [[1]])  # a site over the budget is a group of its own
        self.assertEqual(pack([(1, 1), (2, 1), (3, 1), (4, 1)], 2), [[1, 2], [3, 4]])
