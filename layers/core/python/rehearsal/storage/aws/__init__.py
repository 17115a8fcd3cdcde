"""AWS adapters of the storage ports: S3, DynamoDB and OpenSearch. boto3 and opensearch-py live only here."""

from rehearsal.storage.aws.blobs import S3BlobStore
from rehearsal.storage.aws.runs import DynamoRunStore

__all__ = ["DynamoRunStore", "S3BlobStore"]
