"""Ingest batches: one dynamic partition per folder dropped into the landing zone (never one per ASIN)."""

from dagster import DynamicPartitionsDefinition

ingest_batches = DynamicPartitionsDefinition(name="ingest_batches")
