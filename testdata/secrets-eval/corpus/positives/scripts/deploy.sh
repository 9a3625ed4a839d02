#!/bin/sh
set -eu
curl -sf -H "Authorization: Bearer ewcsk3VutKL6ko87EJ9f+EyY5O8t2EJd6URitJLtfKk67hGuCKlKAHVd9fCnStPMO6u5uau5FLez+ABaY4ZYuQ==" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tfUROHCwEaRcQN6amQlDPdZslIaMZMDHk7NbitkzFTQvUU0B/pwSoh4rZFo1J7sLtHehCD4/ZcEZ3y2QCSfpPbWcCXmbTGg7/hLiClau1eSgwJD9UIrSwvsc1FS7nC69NrFn2Bz2B+Ni9wLjd7wBbDOX37vPqXURemDsJd0yNj4JGtc2Mrt5q9k05EuFzNATnKrhExYIz7WTge0ey9EWIZUNHQ9Fm6WwaAugHK1YJOvtveGDd0tfJH5mzo4K3v7AUGpsOSRrunkf6zMNqTJE3FqaCwj" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer AQVNm2fbV0PaO0sQ6ZjEqCd6X8R1hDpo8KF7thQO0E" https://api.internal.example.net/v1/deploy
./bin/deploy --backblaze-api-key K00uOqxe9CSPRmkyLP5vaivGqgdCm1C --region eu-west-1
curl -sf -H "Authorization: Bearer nfc_xtiTfWczxmZY8sc115FgVpf4Nso9gKg9840B" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer fm1a_DpqKFGdd0RsGU9rfAQDM+PaHU+xXObHr3kqrHxnbLGfODcMFTgO25mT1An4m6gOKYgzicReF9HLvLPnJeu1e1ii95jyhtzoh0D/H6GgUOUsQU1gimCLAX4wjFutfUBGE58qwAu2smc1+hJXnNusenDFpGzzM1GvsX5r/UCsy/VKFxvgR2ISoTKYIDoE0WvJHZmP9q1k9m/iTAN8iB3FV1jFIX1Oa3iLirFA1HkTXn6D436A4EAntJzIejRE7fcQ/XwCvyeJkYP611qlao1bGhvL31Ij0WcaGevtWUz1s6GX5CaVm14OF620Bl+QiAH5KyI/7NN+ak3oFNk+eiM8+ZEySFXC7hGtnchlFXviEP2BgcFc8uvIeECu/ogdAW7fr05YE" https://api.internal.example.net/v1/deploy
./bin/deploy --bitbucket-auth-token 1DZyFNfk4vYZumoHD5kL1vg7jZMjEaOO --region eu-west-1
./bin/deploy --sonar-auth-token 6509872591a981fef559e48ddec846b0f21ab447 --region eu-west-1
curl -sf -H "Authorization: Bearer dt0s16.6T1488ZL03UHF4GEZE3N5L4V.75T97372FZFQANON1ID36BQRJQS9MFSAWTQNCNLFDMY9S1Z3RC5M7WW86VX5F0VV" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer rdme_h989y3cotxb7iza3c90xyxq1ykfodqtu30xo7dj6l8srodra9zv0yapce1awsm1jj5nrxl" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer hbp_IPAdnnkAFu3h3osWriHTUpuhrx6KNPlh4kSk" https://api.internal.example.net/v1/deploy
./bin/deploy --codacy-secret 9csAh41noOHD2y4U8MUfRkEJpFN0G4oe --region eu-west-1
./bin/deploy --portainer-secret ptr_kbp8i4UsTBuwCqgDxPZ1q3HpEf1DlOkIsgKdzActr0Y+ --region eu-west-1
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
./bin/deploy --deepgram-access-key 5fb3c15c6d152afddf5a796406de975864a7c12d --region eu-west-1
./bin/deploy --brave-access-key BSAjbRfvUVv2sMHvKHhFtug9hxmqfnj --region eu-west-1
./bin/deploy --mollie-secret-key live_oU4mI3fg15WiLx5unowQKK7savbpdh --region eu-west-1
curl -sf -H "Authorization: Bearer APP_USR-7346076448326076-216227-ea32921a48add3d3fd64a1fddab7f3a8-975568718" https://api.internal.example.net/v1/deploy
./bin/deploy --alpaca-secret JKUAaQx0JQAM2rCRqCLuDB4WTjQW5didSl2zre4l --region eu-west-1
./bin/deploy --discord-client-token dDV_5C1BOmGon4Tg5IKse9cCVl4R90jF --region eu-west-1
./bin/deploy --plivo-auth-token 9bH47OaJOgokPRAaxmCYcvEzhuI37FEtdjboX7uc --region eu-west-1
curl -sf -H "Authorization: Bearer xsmtpsib-69174056eb84264fd614b21dbb50a3b64161dacd66910b4e4a123a05f808512b-DiGYcSf1amE34BHM" https://api.internal.example.net/v1/deploy
./bin/deploy --freshdesk-token fIO7HDBlJJgYDBV49c1W --region eu-west-1
./bin/deploy --zoom-secret izi5CLwxTWN5uD7iCeOQ5uzzhfmBie1N --region eu-west-1
./bin/deploy --twitter-secret-key 4VCpaUVa6OJqRpiUk2bv29ajNE5rckSKYHE4fkOap0dbQ --region eu-west-1
./bin/deploy --asana-secret 2/3659016123870674/7582699601247731:654fd27f5fe1cbb74e137619ad883ef7 --region eu-west-1
./bin/deploy --trello-secret ATTA1d21c1c76b40f5f48b9f44955b6a716ff3f9190f20b7e289f817025cb519b7fdFACBC3A5 --region eu-west-1
./bin/deploy --spotify-auth-token 4437d17583858d092b5c7abd92e5e657 --region eu-west-1
./bin/deploy --openweather-secret e76f60a5f9abf47aa540f75f2b312c18 --region eu-west-1
./bin/deploy --unsplash-access-key k1Pv9m37gscfxE2b2YxYVBcRLvtXTVVLiQyQCIqFjjd --region eu-west-1
./bin/deploy --shortcut-auth-token c34deacb-d9a4-401b-9df0-c385fcb37dd9 --region eu-west-1
curl -sf -H "Authorization: Bearer dop_v1_b90d66c02490ff2537f1a252ae167ce5ca395e205af7b7a934100b20bbae7470" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer glptt-4df80a56aa83a7b8a1f26fd729a8507a845c6947" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer https://discord.com/api/webhooks/870037478380744415/3CFyvd1HFHVVUHMrL_lXfehYfxcY7uujN8JNcbK7VEci6v-nmy9m4Yk1cqg_apnQz4Ly" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer oy2l0q1ynpswllms6e5q1klq3axpds7549z3qi6mj91w32" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
