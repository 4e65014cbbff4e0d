// A shared object that is not a plugin: no entry point.
extern "C" int not_a_plugin() { return 42; }
