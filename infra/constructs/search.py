"""Search: an OpenSearch Serverless collection of type VECTORSEARCH.

Why serverless rather than a domain: the analyst and insights workloads are bursty (a corpus is indexed, then
queried now and then), a vector-search collection serves both k-NN and BM25 queries, and there are no
instances, versions or shards to size and patch. Access is IAM-only (SigV4, service ``aoss``): a data access
policy grants the named roles the index and document permissions on this collection's indexes, nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_opensearchserverless as aoss
from constructs import Construct

INDEX_PERMISSIONS = (
    "aoss:CreateIndex",
    "aoss:DescribeIndex",
    "aoss:UpdateIndex",
    "aoss:DeleteIndex",  # the analyst rebuilds a conversation index whose corpus changed
    "aoss:ReadDocument",
    "aoss:WriteDocument",
)


class Search(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, collection_name: str) -> None:
        super().__init__(scope, construct_id)
        self.collection_name = collection_name
        rules = [{"ResourceType": "collection", "Resource": [f"collection/{collection_name}"]}]
        # Public endpoint, but every request must be SigV4-signed by a principal the data policy names.
        policies = {
            "encryption": {"Rules": rules, "AWSOwnedKey": True},
            "network": [{"Rules": rules, "AllowFromPublic": True}],
        }
        self.collection = aoss.CfnCollection(self, "Collection", name=collection_name, type="VECTORSEARCH")
        for kind, body in policies.items():
            policy = aoss.CfnSecurityPolicy(
                self, kind.title(), name=f"{collection_name}-{kind[:3]}", type=kind, policy=json.dumps(body)
            )
            self.collection.add_resource_dependency(policy)
        self.endpoint = self.collection.attr_collection_endpoint

    def grant_data_access(self, roles: Sequence[iam.IRole]) -> aoss.CfnAccessPolicy:
        """IAM permission to call this collection, and a data access policy on its indexes, for ``roles``.

        Called once with every role, because the collection has one data access policy."""
        for role in roles:
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["aoss:APIAccessAll"], resources=[self.collection.attr_arn])
            )
        policy = [
            {
                "Rules": [
                    {
                        "ResourceType": "index",
                        "Resource": [f"index/{self.collection_name}/*"],
                        "Permission": list(INDEX_PERMISSIONS),
                    },
                    {
                        "ResourceType": "collection",
                        "Resource": [f"collection/{self.collection_name}"],
                        "Permission": ["aoss:DescribeCollectionItems"],
                    },
                ],
                "Principal": [role.role_arn for role in roles],
            }
        ]
        access = aoss.CfnAccessPolicy(
            self,
            "DataAccess",
            name=f"{self.collection_name}-data",
            type="data",
            policy=Stack.of(self).to_json_string(policy),
        )
        self.collection.add_resource_dependency(access)
        return access
