// Placeholder: the task pane UI lands with its issue.
