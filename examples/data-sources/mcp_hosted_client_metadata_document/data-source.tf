# Render, host, then verify in the same apply: the check reads the hosted
# copy after the hosting resource (here an S3 object behind
# https://agent.example.com) and fails the run when an authorization server
# would refuse it.
data "mcp_client_metadata_document" "agent" {
  client_id     = "https://agent.example.com/oauth/client.json"
  client_name   = "Reporting agent"
  redirect_uris = ["http://127.0.0.1:8888/callback"]
}

resource "aws_s3_object" "client_json" {
  bucket        = "agent-example-com-site"
  key           = "oauth/client.json"
  content       = data.mcp_client_metadata_document.agent.json
  content_type  = "application/json"
  cache_control = "max-age=300"
}

data "mcp_hosted_client_metadata_document" "agent" {
  url           = data.mcp_client_metadata_document.agent.client_id
  expected_json = data.mcp_client_metadata_document.agent.json
  depends_on    = [aws_s3_object.client_json]
}

# Or record problems without failing, and assert in a check block.
check "client_metadata_document" {
  data "mcp_hosted_client_metadata_document" "in_check" {
    url              = data.mcp_client_metadata_document.agent.client_id
    expected_json    = data.mcp_client_metadata_document.agent.json
    fail_on_problems = false
  }

  assert {
    condition     = data.mcp_hosted_client_metadata_document.in_check.valid
    error_message = join("\n", data.mcp_hosted_client_metadata_document.in_check.problems)
  }
}
