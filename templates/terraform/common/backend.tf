terraform {
  # Encrypted at rest: the state holds the tunnel's secret and the parameters' placeholders.
  backend "s3" {
    bucket  = {{ terraform.state_bucket|hcl }}
    key     = {{ state_key|hcl }}
    region  = {{ terraform.state_region|hcl }}
    encrypt = true
  }
}
