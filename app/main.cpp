#include "cli.hpp"

int main(int argc, char** argv) { return app::bridge_main(argc, argv); }
