"""Topic discovery: contact reasons clustered with K unknown, labelled, measured and ranked for automation."""

from rehearsal.insights.topics.cluster import ClusterParams, TopicsError
from rehearsal.insights.topics.discover import TopicRun, discover_topics, params_for
from rehearsal.insights.topics.evaluate import ClusterScores, score_clustering
from rehearsal.insights.topics.incremental import assign_items
from rehearsal.insights.topics.models import Assignment, Topic, TopicItem, TopicModel

__all__ = [
    "Assignment",
    "ClusterParams",
    "ClusterScores",
    "Topic",
    "TopicItem",
    "TopicModel",
    "TopicRun",
    "TopicsError",
    "assign_items",
    "discover_topics",
    "params_for",
    "score_clustering",
]
