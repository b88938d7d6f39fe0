variable "environment" {
  type    = string
  default = "prod"
}

variable "db_password" {
  type      = string
  sensitive = true
}

variable "admin_cidr" {
  type    = string
  default = "0.0.0.0/0"
}
