#!/usr/bin/env bash
# create, list, show, update and delete bookings through the CLI; the JSON fields scripts rely on.
. "$(dirname "$0")/lib.sh"

cli user add alice --password 'correct horse battery' --email alice@example.com >/dev/null
check "user add" [ $? -eq 0 ]
out=$(cli booking create --name "Weekly sync" --owner alice --max-participants 10 --duration 60 \
      --validity-days 7 --start "2030-01-15 09:00" --language en --announce-moderator --record \
      --announce-users --listen-only --wait-for-leader --invitee bob@example.com --invitee carol@example.com/+33612345678 --json)
check "booking create exits 0" [ $? -eq 0 ]
id=$(echo "$out" | json_field '["id"]')
number=$(echo "$out" | json_field '["number"]')
upin=$(echo "$out" | json_field '["user_pin"]')
mpin=$(echo "$out" | json_field '["moderator_pin"]')
check "JSON has a numeric id" matches "$id" '^[0-9]+$'
check "generated number has 6 digits" matches "$number" '^[1-9][0-9]{5}$'
check "generated user PIN has 6 digits" matches "$upin" '^[0-9]{6}$'
check "generated moderator PIN has 6 digits" matches "$mpin" '^[0-9]{6}$'
check "PINs differ" [ "$upin" != "$mpin" ]
check "state is scheduled" [ "$(echo "$out" | json_field '["state"]')" = scheduled ]
check "start kept in local time" [ "$(echo "$out" | json_field '["valid_from"]')" = "2030-01-15T09:00:00+01:00" ]
check "every option stored" [ "$(echo "$out" | json_field '["options"]["wait_for_leader"] and d["options"]["record"] and d["options"]["listen_only"]')" = True ]
check "invitees stored" [ "$(echo "$out" | json_field '["invitees"][1]["phone"]')" = "+33612345678" ]

list=$(cli booking list --json)
check "list shows it" [ "$(echo "$list" | json_field '["total"]')" = 1 ]
check "list by owner" [ "$(cli booking list --owner alice --json | json_field '["items"][0]["number"]')" = "$number" ]
check "list by other owner is empty" [ "$(cli booking list --owner nobody --json | json_field '["total"]')" = 0 ]
check "show by id" [ "$(cli booking show "$id" --json | json_field '["name"]')" = "Weekly sync" ]
check "show by number" [ "$(cli booking show "$number" --json | json_field '["id"]')" = "$id" ]
check "show text mentions the number" bash -c "'$CONFPRO' --config '$CONFIG' booking show $id | grep -q $number"

upd=$(cli booking update "$id" --name "Weekly sync (moved)" --duration 90 --no-record --json)
check "update exits 0" [ $? -eq 0 ]
check "update changed name" [ "$(echo "$upd" | json_field '["name"]')" = "Weekly sync (moved)" ]
check "update changed duration" [ "$(echo "$upd" | json_field '["duration_minutes"]')" = 90 ]
check "update cleared record" [ "$(echo "$upd" | json_field '["options"]["record"]')" = False ]
check "update kept PINs" [ "$(echo "$upd" | json_field '["user_pin"]')" = "$upin" ]

out2=$(cli booking create --name "Board" --owner alice --max-participants 5 --duration 30 --validity-days 1 \
       --user-pin 482913 --moderator-pin 739164 --json)
check "explicit PINs accepted" [ "$(echo "$out2" | json_field '["user_pin"]')" = 482913 ]
n2=$(echo "$out2" | json_field '["number"]')
check "numbers differ" [ "$n2" != "$number" ]
dup=$(cli booking create --name "Board" --owner alice --max-participants 5 --duration 30 --validity-days 1 2>&1)
check "duplicate name refused (exit 2)" [ $? -eq 2 ]
check "duplicate name error names the field" bash -c "echo '$dup' | grep -q name"

cli booking delete "$id" >/dev/null
check "delete exits 0" [ $? -eq 0 ]
cli booking show "$id" >/dev/null 2>&1
check "deleted booking is gone (exit 2)" [ $? -eq 2 ]
check "one booking left" [ "$(cli booking list --json | json_field '["total"]')" = 1 ]
finish
