terraform {
  required_version = ">= 1.0"
  required_providers {
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 4.52"
    }
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "3.8.1"
    }
  }
}

# The API token comes from CLOUDFLARE_API_TOKEN in the environment, never from a file.
provider "cloudflare" {}

provider "aws" {
  region = {{ aws.region|hcl }}
}
