#include "keys/label.hpp"

#include <doctest/doctest.h>

#include <string>

// What a label may be (lib/keys/label.hpp): names people write pass, whatever
// their case, digits and separators; strings that read as random (a key, or
// another service's secret, in the label's place) are refused.

TEST_CASE("names people give their keys are labels") {
  for (const char* label : {"primary",
                            "backup",
                            "TeamAlphaProdKey2024",
                            "team-alpha-prod-key-2024",
                            "ProductionBackupKey1",
                            "ciRunnerEuropeWest42",
                            "k8sprodclusterkey001",
                            "AnthropicPrimaryAccount2",
                            "OpenAIProjectKeyForCI",
                            "anthropic_workspace_production_2025",
                            "MyPersonalClaudeKey2025",
                            "EUWest1ProductionPool",
                            "staging-eu-west-1-backup-03",
                            "acmeCorpMarketingTeamKey",
                            "Q3BudgetAlphaTeamKey",
                            "DevTeamKey20240115",
                            "ProdKEY2024Backup",
                            "primaryOrgKeyNumber12",
                            "claude-opus-4-1-team-a",
                            "claude-opus-4-1-team-b-eu",
                            "gpt4oMiniBatchJobsKey",
                            "AWSBedrockFallbackKey",
                            "DataScienceTeamKeyV2",
                            "workspace_7_billing_primary",
                            "team42-prod-2024-11-key",
                            "v2ProdKeyForServiceX",
                            "JohnDoePersonalAPIKey",
                            "ALLCAPSANDMORELETTERSX",
                            "customer-support-chatbot-eu-west-1-prod",
                            "gpt-4o-mini-2024-07-18-batch",
                            "k8s-prod-eu-w1-node-pool-a1b2",
                            "iPhoneAppBackendKey3",
                            "OAuthClientForGitHubCI",
                            "ResearchAndDevelopmentDepartmentPrimaryKey",
                            "us-east-1-a-b-c-d-e-f-g-h",
                            "cl\xC3\xA9-perso-2024",
                            "ci-runner-eu-west-1",
                            "prod_backup_2024"}) {
    CAPTURE(label);
    CHECK(keys::label_problem(label).empty());
  }
}

TEST_CASE("strings that read as random are refused as secret-like") {
  for (const char* label :
       {"Q7fJ2kLm9Xp4Rt8Wv3NsYb",                        // random, 22 characters
        "team-Q7fJ2kLm9Xp4Rt8Wv3Ns",                     // a name, then random
        "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",       // a Google API key
        "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R",      // a GitHub token
        "xai-Zx8Kq2LmP9vR3tY7wB1nC5dF6gH0jS4a",          // an xAI key
        "gsk_8fKp2QmX9vLr3TyB7wN1cZ5dHg6J0sA4eU2iO8",    // a Groq key
        "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345",           // a Hugging Face token
        "3f9a7c2e1b8d4f6a0c5e7b9d1f3a5c7e",              // 32 hex digits
        "123e4567-e89b-12d3-a456-426614174000",          // a UUID
        "api03-Xk2Pq8RvT5mN1wZ7bY4cL9dF3gH6jK0aS2eU8iO", // an Anthropic key without sk-ant-
        "pplx-8f2a9c1e7b3d4f6a0c5e7b9d1f3a5c7e9b2d4f6a8c0e"}) {
    CAPTURE(label);
    auto problem = keys::label_problem(label);
    CHECK(problem.find("looks like a secret") != std::string::npos);
    CHECK(problem.find(label) == std::string::npos); // never quoted
  }
}

TEST_CASE("the other label rules") {
  CHECK(keys::label_problem("sk-primary").find("'sk-'") != std::string::npos);
  CHECK(keys::label_problem("a=b").find("'='") != std::string::npos);
  CHECK(keys::label_problem(std::string(65, 'a')).find("longer than 64") != std::string::npos);
  CHECK(keys::label_problem(std::string(64, 'a')).empty());
}

TEST_CASE("secret_like_run judges runs of 20 or more only, one piece at a time") {
  CHECK_FALSE(keys::secret_like_run("Q7fJ2kLm9Xp4Rt8Wv3N")); // 19: too short to tell
  CHECK(keys::secret_like_run("Q7fJ2kLm9Xp4Rt8Wv3Ns"));
  // Separated by a character outside a run: two short runs.
  CHECK_FALSE(keys::secret_like_run("Q7fJ2kLm9X.p4Rt8Wv3Ns"));
  // Pieces that are one word each are a name's parts, however short.
  CHECK_FALSE(keys::secret_like_run("a-b-c-d-e-f-g-h-i-j-k"));
}
