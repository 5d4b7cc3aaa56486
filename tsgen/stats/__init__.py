"""Statistics: pure functions from the linked archive to the numbers of data-contract section 5, and their formats."""
