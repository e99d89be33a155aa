#!/bin/sh
# boundaries_test.sh CXX VIEWS SRC — see CMakeLists.txt. Each line below: component, header, expected result.
set -u
cxx="$1" views="$2" src="$3"
failed=0
check() {  # component header ok|forbidden
  out=$(printf '#include "%s"\n' "$2" | "$cxx" -std=c++20 -fsyntax-only -I"$views/$1" -x c++ - 2>&1)
  rc=$?
  if [ "$3" = ok ] && [ $rc -ne 0 ]; then
    echo "FAIL: $1 may include $2 but it does not compile:"; echo "$out" | head -5; failed=1
  elif [ "$3" = forbidden ] && [ $rc -eq 0 ]; then
    echo "FAIL: $1 must not see $2, yet it compiles"; failed=1
  elif [ "$3" = forbidden ] && ! echo "$out" | grep -q "No such file"; then
    echo "FAIL: $1 including $2 fails for another reason than the boundary:"; echo "$out" | head -5; failed=1
  else
    echo "ok: $1 → $2 ($3)"
  fi
}
# domain/ is pure: no I/O component.
check domain common/result.h ok
check domain store/store.h forbidden
check domain sip/sdp.h forbidden
check domain media/media_engine.h forbidden
check domain web/web_deps.h forbidden
# media/ knows neither SIP nor bookings.
check media common/result.h ok
check media sip/sdp.h forbidden
check media domain/booking.h forbidden
check media conference/control_api.h forbidden
# sip/ creates media sessions but decides nothing about conferences.
check sip media/media_engine.h ok
check sip domain/phone.h ok
check sip conference/control_api.h forbidden
check sip store/store.h forbidden
# web/ reaches live conferences only through conference::ControlApi: no media, no SIP, no app/.
check web conference/control_api.h ok
check web booking/booking_service.h ok
check web media/media_engine.h forbidden
check web sip/sip_endpoint.h forbidden
check web app/services.h forbidden
# store/ and directory/ hold no live state.
check store domain/booking.h ok
check store conference/control_api.h forbidden
check directory store/store.h ok
check directory web/web_deps.h forbidden
# notify/ sends the outbox: it reads the store, and nothing live (conference/, sip/) uses it or is used by it.
# Its reminders are written with booking/'s notification texts (the same builders as a booking's mails), so it
# sees booking/; booking/ never sees notify/ (the booking path only writes outbox rows).
check notify store/store.h ok
check notify domain/calendar.h ok
check notify booking/notification_text.h ok
check notify conference/control_api.h forbidden
check booking notify/delivery_worker.h forbidden
check conference notify/delivery_worker.h forbidden
check sip notify/delivery_worker.h forbidden
# billing/ couples bookings to the operator's billing system: it reads the store and the conference events
# (ControlApi), and nothing live (media, SIP) nor web/ or app/; nothing but app/ uses it.
check billing booking/booking_authorizer.h ok
check billing conference/control_api.h ok
check billing sip/sip_endpoint.h forbidden
check billing web/web_deps.h forbidden
# The HTTP coupling sends its commits and refunds as outbox rows through notify/'s worker (a Sender).
check billing notify/sender.h ok
check notify billing/http_billing.h forbidden
check conference billing/radius_client.h forbidden
check web billing/radius_client.h forbidden
# The views exist for every component folder of src/.
for d in "$src"/*/; do
  c=$(basename "$d")
  [ -e "$views/$c/$c" ] || { echo "FAIL: no include view for component $c"; failed=1; }
done
exit $failed
