"""Numbers after the words of orders, payments and bookings, and MAC
addresses (tenth session): "Order #113-1234567-1234567", "Check #1047
cleared", "Voucher 77812", "MAC 00:1B:44:11:3A:B7" were left (4 of 57
identifiers written the way legal, accounting and clinical notes write
them)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from vault.text.anonymize import Anonymizer, Person

JONES = Person(("Katherine Jones",), "Client-0001")


def test_numbers_after_order_payment_and_booking_words_are_replaced():
    anonymizer = Anonymizer([JONES])
    for text, number in (("Order #113-1234567-1234567 arrived.", "1234567"),
                         ("Check #1047 cleared.", "1047"), ("Voucher 77812 used.", "77812"),
                         ("Confirmation no. 448812 emailed.", "448812"),
                         ("Receipt # 20931 for the filing fee.", "20931"),
                         ("Booking ref 55121 for the hotel.", "55121"),
                         ("Inmate # 123456 at county.", "123456")):
        assert number not in anonymizer.text(text, day_offset=-40), text


def test_the_same_words_before_counts_and_plans_are_left():
    anonymizer = Anonymizer([JONES])
    for text in ("Check in 2 weeks.", "check BP 3x daily", "Order labs: CBC, BMP.",
                 "Confirmation of 2 sessions.", "Receipt of 3 letters.", "Booking 2 sessions."):
        assert anonymizer.text(text, day_offset=-40) == text


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.integers(0, 255), min_size=6, max_size=6),
       sep=st.sampled_from(":-"), upper=st.booleans())
def test_a_mac_address_is_replaced(pairs, sep, upper):
    mac = sep.join(f"{p:02X}" if upper else f"{p:02x}" for p in pairs)
    out = Anonymizer([JONES]).text(f"The laptop's MAC is {mac} per IT.", day_offset=-40)
    assert mac not in out and "per IT." in out


def test_times_are_no_mac_address():
    text = "Session 10:30:00 to 11:45:00, logged."
    assert Anonymizer([JONES]).text(text, day_offset=-40) == text
