// std::ios_base_library_init() is exported by GCC 13's libstdc++ (GLIBCXX_3.4.32) and called by TorchSharp's
// native library to set up the standard streams; older libstdc++ lacks it, so this library provides it.
#include <ios>

namespace std
{
    void ios_base_library_init()
    {
        static ios_base::Init init;
    }
}
