//! The demo catalog in Spanish: every category's and product's name and description
//! (slugs are made from the names). Keyed by the English name, as in [`super::CATALOG`].

/// (English category name, Spanish name)
pub const CATEGORIES: &[(&str, &str)] = &[
    ("Coffee", "Café"),
    ("Tea", "Té"),
    ("Mugs & Cups", "Tazas y vasos"),
    ("Brewing Gear", "Utensilios para preparar"),
    ("Snacks", "Dulces y aperitivos"),
    ("Apparel & Gifts", "Ropa y regalos"),
];

/// (English product name, Spanish name, Spanish description)
pub const PRODUCTS: &[(&str, &str, &str)] = &[
    (
        "Ember House Blend",
        "Mezcla de la Casa Ember",
        "Una mezcla diaria, redonda y achocolatada, de granos de Brasil y Colombia con tueste medio.",
    ),
    (
        "Ethiopia Yirgacheffe",
        "Etiopía Yirgacheffe",
        "Granos lavados de variedades autóctonas con notas de jazmín, bergamota y crema de limón. Tueste claro.",
    ),
    (
        "Sumatra Mandheling",
        "Sumatra Mandheling",
        "Terroso y almibarado, con cedro y cacao oscuro. Descascarillado en húmedo, tueste oscuro.",
    ),
    (
        "Colombia Huila Decaf",
        "Colombia Huila descafeinado",
        "Descafeinado con caña de azúcar que sigue sabiendo a caramelo y manzana roja.",
    ),
    (
        "Kenya AA Nyeri",
        "Kenia AA Nyeri",
        "Grosella negra y pomelo vivos, con un cuerpo jugoso y vinoso.",
    ),
    (
        "Guatemala Antigua",
        "Guatemala Antigua",
        "Granos de suelo volcánico con toffee, piel de naranja y un final limpio.",
    ),
    (
        "Espresso Noir",
        "Espresso Noir",
        "Una mezcla densa para espresso pensada para bebidas con leche: avellana, melaza y poca acidez.",
    ),
    (
        "Cold Brew Coarse Grind",
        "Molienda gruesa para cold brew",
        "Molido grueso para infusionar toda la noche. Suave, dulce y nunca amargo.",
    ),
    (
        "Sencha Asahi",
        "Sencha Asahi",
        "Té verde japonés al vapor, de dulzor herbáceo y un final sabroso lleno de umami.",
    ),
    (
        "Darjeeling First Flush",
        "Darjeeling de primera cosecha",
        "Té negro del Himalaya recogido en primavera: floral, moscatel y delicado.",
    ),
    (
        "Earl Grey Crème",
        "Earl Grey Crème",
        "Té negro de Ceilán con aceite de bergamota y un suave toque de vainilla.",
    ),
    (
        "Jasmine Pearls",
        "Perlas de jazmín",
        "Perlas de té verde enrolladas a mano y aromatizadas siete veces con flores frescas de jazmín.",
    ),
    (
        "Rooibos Vanilla Chai",
        "Chai de rooibos y vainilla",
        "Rooibos sudafricano sin cafeína con canela, cardamomo y vainilla.",
    ),
    (
        "Oolong Tie Guan Yin",
        "Oolong Tie Guan Yin",
        "Oolong Diosa de Hierro ligeramente oxidado: orquídea, nata y guisante dulce.",
    ),
    (
        "Genmaicha",
        "Genmaicha",
        "Té verde mezclado con arroz integral tostado, para una taza reconfortante con sabor a fruto seco.",
    ),
    (
        "Peppermint Leaf",
        "Hoja de menta piperita",
        "Hojas enteras de menta piperita ecológica: refrescante, viva y dulce por naturaleza.",
    ),
    (
        "Stoneware Mug, Charcoal",
        "Taza de gres, carbón",
        "Una taza de 350 ml torneada a mano, con esmalte mate color carbón y apoyo para el pulgar.",
    ),
    (
        "Stoneware Mug, Sea Glass",
        "Taza de gres, verde mar",
        "La misma taza generosa en un verde vidrio de mar brillante.",
    ),
    (
        "Double-Wall Glass Cup",
        "Vaso de vidrio de doble pared",
        "Vidrio de borosilicato que mantiene la bebida caliente y las manos frescas. 250 ml.",
    ),
    (
        "Espresso Cup Pair",
        "Pareja de tazas de espresso",
        "Dos tazas de porcelana de pared gruesa de 80 ml con sus platillos.",
    ),
    (
        "Travel Tumbler",
        "Vaso de viaje",
        "Vaso de acero con aislamiento al vacío y tapa deslizante antigoteo. 470 ml.",
    ),
    (
        "Matcha Chawan",
        "Chawan para matcha",
        "Un cuenco ancho esmaltado a mano para batir el matcha.",
    ),
    (
        "Enamel Camp Mug",
        "Taza esmaltada de acampada",
        "Taza de acero esmaltado moteado para porches y hogueras.",
    ),
    (
        "Latte Bowl",
        "Tazón para café con leche",
        "Un tazón con pie de 500 ml para las mañanas de café con leche.",
    ),
    (
        "Pour-Over Dripper",
        "Gotero para café de filtro",
        "Gotero cónico de cerámica con nervios en espiral para una extracción uniforme.",
    ),
    (
        "Gooseneck Kettle",
        "Hervidor cuello de cisne",
        "Hervidor para fogón con pico de cuello de cisne preciso y termómetro integrado.",
    ),
    (
        "French Press 8-Cup",
        "Cafetera de émbolo para 8 tazas",
        "Cafetera de émbolo de acero inoxidable de doble pared que mantiene el café caliente durante una hora.",
    ),
    (
        "Burr Hand Grinder",
        "Molinillo manual de muelas",
        "Muelas cónicas de acero con 40 posiciones, del espresso al cold brew.",
    ),
    (
        "AeroPress Style Brewer",
        "Cafetera tipo AeroPress",
        "Una cafetera compacta de inmersión y presión para viajes y mañanas de una sola taza.",
    ),
    (
        "Glass Teapot with Infuser",
        "Tetera de vidrio con infusor",
        "Una tetera de 1 litro resistente al calor con infusor de acero extraíble.",
    ),
    (
        "Digital Brew Scale",
        "Báscula digital para café",
        "Pesa al 0,1 g y lleva un temporizador de extracción integrado.",
    ),
    (
        "Paper Filters, 100",
        "Filtros de papel, 100",
        "Filtros de papel sin blanquear a la medida de nuestro gotero.",
    ),
    (
        "Almond Biscotti",
        "Biscotti de almendra",
        "Galletas toscanas horneadas dos veces con almendras tostadas enteras, hechas para mojar.",
    ),
    (
        "Dark Chocolate 72%",
        "Chocolate negro 72 %",
        "Chocolate peruano de origen único con notas de frutos rojos.",
    ),
    (
        "Salted Caramel Stroopwafels",
        "Stroopwafels de caramelo salado",
        "Finos gofres holandeses rellenos de caramelo salado con mantequilla; pon uno sobre tu taza.",
    ),
    (
        "Shortbread Tin",
        "Lata de shortbread",
        "Galletas escocesas de mantequilla en una lata para guardar.",
    ),
    (
        "Candied Ginger",
        "Jengibre confitado",
        "Tiernas láminas de jengibre cristalizado: un picor dulce para la hora del té.",
    ),
    (
        "Hazelnut Praline Bar",
        "Tableta de praliné de avellana",
        "Chocolate con leche relleno de un suave praliné de avellanas tostadas.",
    ),
    (
        "Matcha Cookies",
        "Galletas de matcha",
        "Galletas crujientes de mantequilla hechas con matcha de grado ceremonial.",
    ),
    (
        "Honey Sticks, 20",
        "Palitos de miel, 20",
        "Miel de flores silvestres en palitos monodosis para endulzar el té.",
    ),
    (
        "Roaster's Canvas Apron",
        "Delantal de lona del tostador",
        "Lona encerada gruesa con correas de cuero y un bolsillo para el termómetro.",
    ),
    (
        "Ember Logo T-Shirt",
        "Camiseta con el logotipo de Ember",
        "Camiseta suave de algodón ecológico con nuestro logotipo de brasa y hoja.",
    ),
    (
        "Knit Beanie",
        "Gorro de punto",
        "Gorro de mezcla de merino en color marrón grano tostado.",
    ),
    (
        "Gift Card $25",
        "Tarjeta regalo de 25 US$",
        "Una tarjeta regalo para cualquier cosa de la tienda, enviada por correo electrónico.",
    ),
    (
        "Gift Card $50",
        "Tarjeta regalo de 50 US$",
        "Una tarjeta regalo para cualquier cosa de la tienda, enviada por correo electrónico.",
    ),
    (
        "Tasting Notebook",
        "Cuaderno de cata",
        "Un cuaderno de bolsillo con ruedas de sabores y registros de preparación.",
    ),
    (
        "Coffee Lover's Gift Box",
        "Caja regalo para amantes del café",
        "Mezcla de la Casa, una taza color carbón, biscotti y chocolate, en caja y con lazo.",
    ),
    (
        "Tea Sampler Box",
        "Caja de degustación de tés",
        "Seis de nuestros tés a granel en latas, con fichas de cata.",
    ),
];
