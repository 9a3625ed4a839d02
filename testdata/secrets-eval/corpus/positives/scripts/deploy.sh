#!/bin/sh
set -eu
curl -sf -H "Authorization: Bearer ewcsk3VutKL6ko87EJ9f+EyY5O8t2EJd6URitJLtfKk67hGuCKlKAHVd9fCnStPMO6u5uau5FLez+ABaY4ZYuQ==" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tfUROHCwEaRcQN6amQlDPdZslIaMZMDHk7NbitkzFTQvUU0B/pwSoh4rZFo1J7sLtHehCD4/ZcEZ3y2QCSfpPbWcCXmbTGg7/hLiClau1eSgwJD9UIrSwvsc1FS7nC69NrFn2Bz2B+Ni9wLjd7wBbDOX37vPqXURemDsJd0yNj4JGtc2Mrt5q9k05EuFzNATnKrhExYIz7WTge0ey9EWIZUNHQ9Fm6WwaAugHK1YJOvtveGDd0tfJH5mzo4K3v7AUGpsOSRrunkf6zMNqTJE3FqaCwj" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer AQVNm2fbV0PaO0sQ6ZjEqCd6X8R1hDpo8KF7thQO0E" https://api.internal.example.net/v1/deploy
./bin/deploy --backblaze-api-key K00uOqxe9CSPRmkyLP5vaivGqgdCm1C --region eu-west-1
curl -sf -H "Authorization: Bearer nfp_zYCUD4fI7xHghZgE8c9qzpsbVwn39OjkIeYc" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer fm2_m5h76JQA6LlhveyL5ce0DTI3rgkYyWfQyW82eWqDcVVWNUHg2Vhuxx+aNWCqn2pLG/OcDjXp0eYUBx+biI/zwM0tMp0tBA3xUpZcSm37aWc+BDuzUP6xy/WuOUH1WUi8rQzJ+tBzheRf0SdX8vVcagDAPtogvm2LH/eKxwAOs3PljljwyTm07PIqOzr2T389h+LBruOztyJvgi3X4eu1YfEUVmGY3Lu1R/rI/R" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer BBDC-+Zm+06ItxJEm3KRthEzkxj39eKoWzvTQRn9vzmyUBE8i" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer sqa_207b2928a1dc02445efd17ded06977da2eb8e0f6" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer dt0s02.9UA0BCRW6BOW0NCJ3ZFO0QVJ.IPIV5ZFZXHZBC92CRIJSHUT6B2FYX58ZV6HZPVRAV0T3L2PYU5JI0J91CAOWJXBX" https://api.internal.example.net/v1/deploy
./bin/deploy --octopus-secret API-6IQDREBYOL2T8O5GXKNTJKYLZA --region eu-west-1
./bin/deploy --launchdarkly-token mob-e03f1caf-d4fb-4bdd-8214-17f5578d00dc --region eu-west-1
./bin/deploy --circleci-secret 3e235b97cfec73b869f96d745c02e6e1df480520 --region eu-west-1
./bin/deploy --auth0-secret 2U2LiKRsDdxJrPpotcwkthbaNQXUIBOu3KIYRLs8yPBshrooTJpHZTROakoxEs0b --region eu-west-1
./bin/deploy --mistral-auth-token dxYEvgGysTpZe4AcxMc9n3csPeIKegp6 --region eu-west-1
./bin/deploy --together-access-key 006e26ba70d96dc28eb891f32754b21c85bec8614eb534833c861cd7562db5b4 --region eu-west-1
./bin/deploy --runpod-auth-token rpa_VPE8LS3G2GWJHLALTQQB85HNE5UNXGG2R73DFTG0YPXQ --region eu-west-1
./bin/deploy --kaggle-access-key ba6099b285ebfb186073cff662e5a233 --region eu-west-1
./bin/deploy --plaid-auth-token a1b02266a84a85a1bc213b349b6a8c --region eu-west-1
curl -sf -H "Authorization: Bearer pdl_live_apikey_a89z2mlmrru74a9ubgv8l480qo_lQUNkcVVv09sWCxuOkyZglk5oZ" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer ck_329099db3e6d068252359d06c39f65d7ffd3dcc1" https://api.internal.example.net/v1/deploy
./bin/deploy --line-channel-api-key c7c80cac9e1a847d0b0e514e10425b41 --region eu-west-1
./bin/deploy --mailjet-secret 03b16046f0f19179941eb4635090948d --region eu-west-1
./bin/deploy --pusher-token 03c969602bb07f793442 --region eu-west-1
./bin/deploy --opsgenie-secret-key 2d24524b-b74d-4b6d-9a54-311c700e7095 --region eu-west-1
./bin/deploy --salesforce-api-key E604ACBF7A58C3CA7D0A7D4A4F87E70A027CF24184599672D5890057E40BD781 --region eu-west-1
./bin/deploy --facebook-token 4d552ee2e6e1abe2ea8948a769ef9f36 --region eu-west-1
./bin/deploy --airtable-token key76S6cgwz3MRduh --region eu-west-1
curl -sf -H "Authorization: Bearer phx_SM1JEgVFhcVrjbnzp2uAsgNEh023Z2hXoitZMJDVY4O" https://api.internal.example.net/v1/deploy
./bin/deploy --todoist-api-key b483726051c47e517736febc73369319f28fb72f --region eu-west-1
./bin/deploy --nytimes-auth-token KzqnJdzRyutMfGU9Bp75dI99RnzhSAgp --region eu-west-1
./bin/deploy --transifex-token 1/7c72788e183a41bab719013f0c4126c07d7a8316 --region eu-west-1
./bin/deploy --rapidapi-api-key GOVyJ6d1ZuoCpKwg8ofNpL8WAPjR9GPzGI5WWcG4FRgEkjDCKm --region eu-west-1
./bin/deploy --cloudflare-api-api-key DylOO9XH7oxgB_cNAUMkKQYtCg8pG5UwP1knt3Yg --region eu-west-1
curl -sf -H "Authorization: Bearer CCIPAT_vflzsBfGbqxJgrfnkhfE3l_c3633b89d0ffde4daafda5c6b62fc14033a04a19" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer AKCpLt1Le7L4rWJmZRgp2S4KKd6ullxKuYuXH8LCKeewbMKKHTLuDvf7v1huDBqislijaXlKR" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer 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" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer hvs.akXEuFr5QW7MVBC1JLmRljMxehZwvSES5fk_MjWfNdgdnWIprPkK2FyzLLbmbnB9qt36dSD1i7zs8WtZ4wZUR-T5C2" https://api.internal.example.net/v1/deploy
curl -sf -H "Authorization: Bearer CFPAT-_Diw_VDtGo4HZJHVkZu8AodOh9FeZcqJYEb0KpxpLvK" https://api.internal.example.net/v1/deploy
