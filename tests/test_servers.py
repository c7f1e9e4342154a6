"""The test servers themselves: a Radicale that holds a calendar, an HTTP server that serves it."""

from __future__ import annotations

import urllib.request

from servers import FileServer, Radicale


def test_radicale_stores_an_event(radicale: Radicale) -> None:
    radicale.make_calendar("work")
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a1\r\n"
        "DTSTAMP:20261123T090000Z\r\nDTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\n"
        "SUMMARY:Team meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert radicale.put("work", "a1.ics", ics) == 201
    status, _, body = radicale.request("GET", "me/work/a1.ics")
    assert status == 200 and b"Team meeting" in body


def test_radicale_with_a_password_refuses_a_stranger(radicale_auth: Radicale) -> None:
    radicale_auth.password = "wrong"
    status, _, _ = radicale_auth.request("PROPFIND", "me/")
    assert status == 401


def test_ics_server_serves_and_404s(ics_server: FileServer) -> None:
    url = ics_server.serve("cal.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read().startswith(b"BEGIN:VCALENDAR")
    assert ics_server.hits == ["/cal.ics"]
