#!/bin/sh
set -eu
curl -sf -H "Authorization: Bearer KpI5WaC9UNJQsRYFjgotnBNT96qZfJTeUAzCaDHLbCJ=" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer ABSKQmVkcm9ja0FQSUtleSLKeRhUOVqBx8eihJZ++b1nks0uxX8ZAZFUIFbYFdmlLM0hMMzUL5luiGtRGNnDNl/VrGGTcmT0YsL0WOF58jOt/LG9aUplRiwxWGetXc9CgdEWoXm+V3Y7Hbygh74VXG9W" https://api.internal.example.net/v1/deploy
./bin/deploy --huawei-api-key t6YsxbH0UJonsWENQfxBFwOhsQCZAF5YrOBzVzvU --region eu-west-1
./bin/deploy --exoscale-api-key x5RUfNVxVsis78tfhRiR3m6PufJ4TBuFJMUev4fhIwW --region eu-west-1
./bin/deploy --bunnycdn-secret c963979f-f25d-4a5f-928c-05266a145b27 --region eu-west-1
./bin/deploy --railway-secret-key 7e203f9b-0fe1-4b04-9466-af9a49423c08 --region eu-west-1
curl -sf -H "Authorization: Bearer _gitlab_session=e7029bf4b94081381bb28bd3705c3f3d" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer sqp_d49632c97d7d255c166de582af335eda53b0b3de" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer dt0s01.SN4LH91F5JWGMSMKWKC2K4VU.66QKZ6GNMLR9DHM7VHH4Z1CI4RVLEZBHIP90O4WKBW31GDLG4R22ENLN3GE799K5" https://api.internal.example.net/v1/deploy
./bin/deploy --gitea-access-key ee923c271d1a59de8978b7cab74ebf082e70cf00 --region eu-west-1
./bin/deploy --ngrok-secret 2Z3QToyxmv1bdUl08U2ltphxQVQ_1ohPAPK9s91mAOJqztq7A --region eu-west-1
./bin/deploy --splunk-secret-key af71f4c9-5605-4a46-8140-a16472c3f494 --region eu-west-1
./bin/deploy --consul-access-key 38c337bc-72e1-4104-9675-4527afee78c9 --region eu-west-1
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
./bin/deploy --assemblyai-access-key ad1fd1e0079742e1065f766540f34c54 --region eu-west-1
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
./bin/deploy --clarifai-secret bb8a7098e9603faf9e2b253ec7342e5b --region eu-west-1
./bin/deploy --paypal-token Y0aye_BXEhYuEYlc55cL_yuAI0qqsKbRMRXiNWq3TkcFfLsAzUmQo1Dr7if9HV50Av8s_Dd_ojEWJfhd --region eu-west-1
./bin/deploy --checkout-access-key sk_0c9ce94b-cb71-4433-bed9-d4e6cdf0a016 --region eu-west-1
curl -sf -H "Authorization: Bearer shippo_live_3aaae4894c1325c75a2050f6797d24425d2baf86" https://api.internal.example.net/v1/deploy
./bin/deploy --authorize-net-api-key abNiTOCVlG3V9HKh --region eu-west-1
./bin/deploy --rocketchat-api-key bnI8b9DqUXqyUeRbOcl7VDUgIs57GSUNtI9JoV0ZqU_ --region eu-west-1
./bin/deploy --clickatell-secret 0ZvbfY3s-_F1WLSvro0M4j --region eu-west-1
curl -sf -H "Authorization: Bearer os_v2_app_xpbml63nns43o3f66qb7famyynf62qlm6ynqoxbajbmm6yg7bcgu3auogjcbegtuiq5x33mag5x4is3cqbndqredhm2yg4szk3lqxvle35up3zafr" https://api.internal.example.net/v1/deploy
./bin/deploy --pagerduty-token FrhrG3UuAc8bNQZ7qNGw --region eu-west-1
./bin/deploy --ntfy-token tk_z40h5h0zegq2fia3uowd6ntz96vuh --region eu-west-1
curl -sf -H "Authorization: Bearer EAAGsIV1Bj9GyXjI07VRQ90Ecp5fW8q7xnpahyvVMW0qVoOz6DKMZ7RFpweMT3IUjFSddfUOI0XR9u8S5EAkoUMazfWcDb1PABgJ3PNwHECyrCMTX9AFsbsgpU0EdjrMBOVa1puGqva7YgwOfXKLYUgoOnIcCRncmymBXo2JyAyP1hcOoBRGIMLk" https://api.internal.example.net/v1/deploy
./bin/deploy --segment-token UUXSV6j6ikjAGFcGdbvMbRNsATledeg8 --region eu-west-1
./bin/deploy --docusign-secret 17c7f536-7da3-4fb5-8027-26606dda3018 --region eu-west-1
./bin/deploy --shodan-api-key v4D2z2wdFNi8AfySMmbWQWAXb165762i --region eu-west-1
curl -sf -H "Authorization: Bearer fio-u-L5eiyYwSSApQLJRb63JvMYIaWMTjgxbg8PRSHp44PY792fNtAg-c6rmBp7fgspSM" https://api.internal.example.net/v1/deploy
./bin/deploy --tomtom-auth-token wwm9FE2irAgC1uF3kOepAl7fnRlclr57 --region eu-west-1
./bin/deploy --ibm-cloud-api-token xmXrlzIUL6hX5P6aZQ1ZXZPaiZad3-JaralJvLXNXO4a --region eu-west-1
curl -sf -H "Authorization: Bearer gldt-_sljaEwwnizPS4uw5CV2" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer https://discord.com/api/webhooks/870037478380744415/3CFyvd1HFHVVUHMrL_lXfehYfxcY7uujN8JNcbK7VEci6v-nmy9m4Yk1cqg_apnQz4Ly" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer oy2l0q1ynpswllms6e5q1klq3axpds7549z3qi6mj91w32" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
