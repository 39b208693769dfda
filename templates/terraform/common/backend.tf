terraform {
  backend "s3" {
    bucket = {{ terraform.state_bucket|hcl }}
    key    = {{ state_key|hcl }}
    region = {{ terraform.state_region|hcl }}
  }
}
