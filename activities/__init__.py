"""Activities: all I/O. Store activities run on the main task queue; browser activities on
their own queue with bounded concurrency."""
