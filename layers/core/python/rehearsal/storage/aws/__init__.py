"""AWS adapters of the storage ports: S3, DynamoDB and OpenSearch. boto3 and opensearch-py live only here."""

from rehearsal.storage.aws.blobs import S3BlobStore
from rehearsal.storage.aws.runs import DynamoRunStore
from rehearsal.storage.aws.search import OpenSearchIndex
from rehearsal.storage.aws.stores import build_aws_stores

__all__ = ["DynamoRunStore", "OpenSearchIndex", "S3BlobStore", "build_aws_stores"]
