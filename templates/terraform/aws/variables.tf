variable "aws_account_id" {
  type    = string
  default = {{ aws.account_id|hcl }}
}
