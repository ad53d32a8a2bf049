/**
 * A realistic synthetic catalog for the search benchmark: bilingual names built from word
 * lists (brand + descriptor + product + size, in English and Chinese), EAN-13 barcodes with valid
 * check digits (GS1 China prefixes 690–699; a few products carry two), SKUs and categories.
 * Seeded: the same size always gives the same catalog.
 */
import type { Category, Product } from '../src/shared/contract'
import type { CatalogImport } from '../src/main/core/catalog'
import { int, pick, rng } from './lib/stats'

type W = readonly [en: string, zh: string]

interface Cat {
  id: string
  en: string
  zh: string
  taxClass: 'std' | 'low'
  unit: 'each' | 'kg'
  price: readonly [number, number]
  nouns: readonly W[]
  descriptors: readonly W[]
  sizes: readonly string[]
}

const BRANDS: readonly W[] = [
  ['Nongfu', '农夫'], ['Master Kong', '康师傅'], ['Uni-President', '统一'], ['Wahaha', '娃哈哈'], ['Yili', '伊利'],
  ['Mengniu', '蒙牛'], ['Bright', '光明'], ['Haitian', '海天'], ['Lee Kum Kee', '李锦记'], ['Want Want', '旺旺'],
  ['Three Squirrels', '三只松鼠'], ['Liangpin', '良品铺子'], ['Dali Garden', '达利园'], ['Oishi', '上好佳'], ['Jinluo', '金锣'],
  ['Shuanghui', '双汇'], ['Arawana', '金龙鱼'], ['Fortune', '福临门'], ['Bawang', '霸王'], ['Blue Moon', '蓝月亮'],
  ['Liby', '立白'], ['Vinda', '维达'], ['Breeze', '清风'], ['Yunnan Baiyao', '云南白药'], ['Darlie', '好来'],
  ['Tsingtao', '青岛'], ['Snow', '雪花'], ['Yanjing', '燕京'], ['Genki Forest', '元气森林'], ['Nestle', '雀巢'],
  ['Coca-Cola', '可口可乐'], ['Pepsi', '百事'], ['Oreo', '奥利奥'], ['Lay\'s', '乐事'], ['Dove', '德芙'],
  ['Jiaduobao', '加多宝'], ['Wanglaoji', '王老吉'], ['Junlebao', '君乐宝'], ['Weilong', '卫龙'], ['Qiaqia', '洽洽'],
  ['Laoganma', '老干妈'], ['Totole', '太太乐'], ['Jinmailang', '今麦郎'], ['Baixiang', '白象'], ['Sanquan', '三全'],
  ['Synear', '思念'], ['Wuliangye', '五粮液'], ['Moutai', '茅台'], ['Luzhou', '泸州'], ['Daybook', '日记本'],
  ['Golden Field', '金田'], ['Green Valley', '绿谷'], ['Happy Farm', '欢乐农场'], ['Red Star', '红星'], ['Silver Bay', '银湾'],
  ['Mountain Spring', '山泉'], ['Sunny', '阳光'], ['Panda', '熊猫'], ['Dragon', '龙'], ['Phoenix', '凤凰'],
]

const CATS: readonly Cat[] = [
  {
    id: 'drinks', en: 'Drinks', zh: '饮料', taxClass: 'std', unit: 'each', price: [200, 1500],
    nouns: [['Mineral Water', '矿泉水'], ['Iced Tea', '冰红茶'], ['Green Tea', '绿茶'], ['Cola', '可乐'], ['Orange Juice', '橙汁'], ['Sparkling Water', '气泡水'], ['Milk Tea', '奶茶'], ['Coffee', '咖啡'], ['Energy Drink', '功能饮料'], ['Herbal Tea', '凉茶'], ['Lemonade', '柠檬水'], ['Soy Milk', '豆奶'], ['Coconut Water', '椰子水'], ['Plum Juice', '酸梅汤']],
    descriptors: [['Classic', '经典'], ['Sugar-Free', '无糖'], ['Lemon', '柠檬'], ['Peach', '蜜桃'], ['Jasmine', '茉莉'], ['Honey', '蜂蜜'], ['Grape', '葡萄'], ['Mango', '芒果'], ['Light', '轻盈'], ['Original', '原味']],
    sizes: ['250ml', '330ml', '500ml', '550ml', '1L', '1.5L', '2L', '6x500ml', '12x330ml'],
  },
  {
    id: 'alcohol', en: 'Beer & Spirits', zh: '酒类', taxClass: 'std', unit: 'each', price: [400, 99900],
    nouns: [['Lager', '啤酒'], ['Draft Beer', '生啤'], ['Baijiu', '白酒'], ['Rice Wine', '米酒'], ['Red Wine', '红酒'], ['Yellow Wine', '黄酒'], ['Plum Wine', '梅子酒'], ['Wheat Beer', '小麦啤酒']],
    descriptors: [['Premium', '精酿'], ['Classic', '经典'], ['Aged', '陈酿'], ['Strong', '浓香'], ['Light', '清爽'], ['Reserve', '珍藏']],
    sizes: ['330ml', '500ml', '640ml', '750ml', '500ml x 6', '125ml'],
  },
  {
    id: 'snacks', en: 'Snacks', zh: '零食', taxClass: 'std', unit: 'each', price: [150, 4000],
    nouns: [['Potato Chips', '薯片'], ['Biscuits', '饼干'], ['Cookies', '曲奇'], ['Chocolate', '巧克力'], ['Sunflower Seeds', '瓜子'], ['Spicy Strips', '辣条'], ['Rice Crackers', '米饼'], ['Beef Jerky', '牛肉干'], ['Mixed Nuts', '坚果'], ['Cake Rolls', '蛋糕卷'], ['Candy', '糖果'], ['Seaweed', '海苔'], ['Popcorn', '爆米花'], ['Wafers', '威化饼']],
    descriptors: [['Spicy', '香辣'], ['Original', '原味'], ['Cheese', '芝士'], ['Tomato', '番茄'], ['Seaweed', '海苔味'], ['BBQ', '烧烤'], ['Milk', '牛奶'], ['Strawberry', '草莓'], ['Salted', '椒盐'], ['Caramel', '焦糖']],
    sizes: ['30g', '45g', '70g', '100g', '150g', '200g', '500g', 'Family Pack', 'Gift Box'],
  },
  {
    id: 'dairy', en: 'Dairy & Eggs', zh: '乳品蛋类', taxClass: 'low', unit: 'each', price: [250, 6000],
    nouns: [['Fresh Milk', '鲜牛奶'], ['Yogurt', '酸奶'], ['Milk Powder', '奶粉'], ['Eggs', '鸡蛋'], ['Cheese', '奶酪'], ['Butter', '黄油'], ['Cream', '奶油'], ['Drinking Yogurt', '酸奶饮品'], ['Salted Duck Eggs', '咸鸭蛋']],
    descriptors: [['Whole', '全脂'], ['Low-Fat', '低脂'], ['Organic', '有机'], ['Free-Range', '散养'], ['Probiotic', '益生菌'], ['High-Calcium', '高钙'], ['Skimmed', '脱脂'], ['Farm', '牧场']],
    sizes: ['200ml', '250ml', '950ml', '1L', '10 pcs', '30 pcs', '400g', '800g', '6x100g'],
  },
  {
    id: 'fresh', en: 'Fresh Produce', zh: '生鲜果蔬', taxClass: 'low', unit: 'kg', price: [300, 12000],
    nouns: [['Apples', '苹果'], ['Bananas', '香蕉'], ['Oranges', '橙子'], ['Pears', '梨'], ['Grapes', '葡萄'], ['Tomatoes', '西红柿'], ['Cucumbers', '黄瓜'], ['Potatoes', '土豆'], ['Cabbage', '白菜'], ['Carrots', '胡萝卜'], ['Pork Belly', '五花肉'], ['Chicken Wings', '鸡翅'], ['Beef', '牛肉'], ['Shrimp', '虾'], ['Mushrooms', '蘑菇'], ['Spinach', '菠菜']],
    descriptors: [['Fresh', '新鲜'], ['Organic', '有机'], ['Imported', '进口'], ['Local', '本地'], ['Premium', '精选'], ['Red', '红'], ['Green', '青'], ['Baby', '小']],
    sizes: ['per kg', 'per 500g', 'loose', 'bunch'],
  },
  {
    id: 'grocery', en: 'Grocery', zh: '粮油调味', taxClass: 'low', unit: 'each', price: [300, 15000],
    nouns: [['Rice', '大米'], ['Noodles', '面条'], ['Instant Noodles', '方便面'], ['Soy Sauce', '酱油'], ['Vinegar', '醋'], ['Cooking Oil', '食用油'], ['Flour', '面粉'], ['Chili Sauce', '辣椒酱'], ['Oyster Sauce', '蚝油'], ['Salt', '食盐'], ['Sugar', '白糖'], ['Dumplings', '水饺'], ['Glutinous Rice Balls', '汤圆'], ['Sesame Oil', '芝麻油']],
    descriptors: [['Premium', '特级'], ['Light', '生抽'], ['Dark', '老抽'], ['Braised Beef', '红烧牛肉'], ['Pickled Cabbage', '酸菜'], ['Fragrant', '香'], ['Pure', '纯'], ['Pork & Cabbage', '猪肉白菜'], ['Peanut', '花生'], ['Northeast', '东北']],
    sizes: ['500g', '1kg', '2.5kg', '5kg', '500ml', '1.8L', '5L', '5 x 100g', '1kg Family'],
  },
  {
    id: 'household', en: 'Household', zh: '日用百货', taxClass: 'std', unit: 'each', price: [200, 8000],
    nouns: [['Tissues', '抽纸'], ['Toilet Paper', '卷纸'], ['Laundry Detergent', '洗衣液'], ['Dish Soap', '洗洁精'], ['Trash Bags', '垃圾袋'], ['Batteries', '电池'], ['Light Bulb', '灯泡'], ['Umbrella', '雨伞'], ['Wet Wipes', '湿巾'], ['Sponges', '海绵'], ['Lighter', '打火机'], ['Cling Film', '保鲜膜']],
    descriptors: [['Soft', '柔软'], ['Lavender', '薰衣草'], ['Lemon', '柠檬'], ['Extra Strong', '加厚'], ['Travel', '便携'], ['Unscented', '无香'], ['Alkaline', '碱性'], ['Large', '大号']],
    sizes: ['3 pack', '6 pack', '10 rolls', '1kg', '2kg', '500ml', '4 pcs', '100 sheets', 'single'],
  },
  {
    id: 'personal', en: 'Personal Care', zh: '个人护理', taxClass: 'std', unit: 'each', price: [500, 12000],
    nouns: [['Toothpaste', '牙膏'], ['Toothbrush', '牙刷'], ['Shampoo', '洗发水'], ['Body Wash', '沐浴露'], ['Hand Soap', '洗手液'], ['Face Cream', '面霜'], ['Sunscreen', '防晒霜'], ['Razor', '剃须刀'], ['Sanitary Pads', '卫生巾'], ['Cotton Swabs', '棉签']],
    descriptors: [['Whitening', '美白'], ['Mint', '薄荷'], ['Herbal', '草本'], ['Anti-Dandruff', '去屑'], ['Sensitive', '敏感'], ['Moisturizing', '保湿'], ['Kids', '儿童'], ['Men\'s', '男士']],
    sizes: ['90g', '120g', '180g', '400ml', '750ml', '2 pcs', '10 pcs', '50ml'],
  },
  {
    id: 'bakery', en: 'Bakery', zh: '烘焙面包', taxClass: 'std', unit: 'each', price: [300, 5000],
    nouns: [['Bread', '面包'], ['Toast', '吐司'], ['Croissant', '牛角包'], ['Egg Tart', '蛋挞'], ['Sponge Cake', '蛋糕'], ['Mooncake', '月饼'], ['Steamed Buns', '馒头'], ['Red Bean Bun', '豆沙包'], ['Muffin', '松饼']],
    descriptors: [['Whole Wheat', '全麦'], ['Milk', '牛奶'], ['Butter', '黄油'], ['Pork Floss', '肉松'], ['Custard', '奶黄'], ['Matcha', '抹茶'], ['Coconut', '椰蓉'], ['Raisin', '葡萄干']],
    sizes: ['1 pc', '2 pcs', '4 pcs', '6 pcs', '400g', 'box'],
  },
  {
    id: 'frozen', en: 'Frozen', zh: '冷冻食品', taxClass: 'low', unit: 'each', price: [500, 8000],
    nouns: [['Ice Cream', '冰淇淋'], ['Frozen Dumplings', '速冻饺子'], ['Wontons', '馄饨'], ['Fish Balls', '鱼丸'], ['Sausages', '香肠'], ['Spring Rolls', '春卷'], ['Popsicle', '冰棍'], ['Chicken Nuggets', '鸡块']],
    descriptors: [['Vanilla', '香草'], ['Chocolate', '巧克力'], ['Shrimp', '鲜虾'], ['Pork', '猪肉'], ['Corn', '玉米'], ['Red Bean', '红豆'], ['Taro', '香芋'], ['Spicy', '麻辣']],
    sizes: ['1 pc', '4 pcs', '300g', '500g', '1kg', '80g'],
  },
  {
    id: 'tobacco', en: 'Tobacco', zh: '烟草', taxClass: 'std', unit: 'each', price: [1000, 10000],
    nouns: [['Cigarettes', '香烟'], ['Slim Cigarettes', '细支烟'], ['Cigarette Carton', '条装烟']],
    descriptors: [['Soft Pack', '软包'], ['Hard Pack', '硬包'], ['Classic', '经典'], ['Mild', '淡味']],
    sizes: ['20 pcs', '10 packs'],
  },
  {
    id: 'baby', en: 'Baby & Kids', zh: '母婴用品', taxClass: 'std', unit: 'each', price: [800, 30000],
    nouns: [['Diapers', '纸尿裤'], ['Infant Formula', '婴儿奶粉'], ['Baby Wipes', '婴儿湿巾'], ['Rice Cereal', '米粉'], ['Baby Lotion', '婴儿润肤露'], ['Teether', '牙胶']],
    descriptors: [['Newborn', '新生儿'], ['Stage 1', '1段'], ['Stage 2', '2段'], ['Stage 3', '3段'], ['Ultra Thin', '超薄'], ['Gentle', '温和']],
    sizes: ['S 60 pcs', 'M 50 pcs', 'L 42 pcs', '400g', '800g', '80 sheets'],
  },
]

/** EAN-13 check digit of 12 digits: weights 1,3,1,3… from the left. */
export function ean13CheckDigit(first12: string): number {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3)
  return (10 - (sum % 10)) % 10
}

export function isValidEan13(code: string): boolean {
  return /^\d{13}$/.test(code) && ean13CheckDigit(code.slice(0, 12)) === Number(code[12])
}

export function generateCatalog(count: number, seed = 42): CatalogImport {
  const r = rng(seed)
  const categories: Category[] = CATS.map((c) => ({ id: c.id, nameEn: c.en, nameZh: c.zh }))
  const products: Product[] = []
  const codes = new Set<string>()
  const newCode = (): string => {
    for (;;) {
      const first12 = `69${int(r, 0, 9)}${String(int(r, 0, 999_999_999)).padStart(9, '0')}`
      const code = first12 + ean13CheckDigit(first12)
      if (!codes.has(code)) {
        codes.add(code)
        return code
      }
    }
  }
  // Bigger shelves for the big categories, as in a real store.
  const weights = CATS.map((c) => c.nouns.length * c.descriptors.length)
  const totalWeight = weights.reduce((a, b) => a + b, 0)
  for (let i = 0; i < count; i++) {
    let x = r() * totalWeight
    let ci = 0
    while (ci < CATS.length - 1 && x >= (weights[ci] as number)) x -= weights[ci++] as number
    const c = CATS[ci] as Cat
    const brand = pick(r, BRANDS)
    const desc = pick(r, c.descriptors)
    const noun = pick(r, c.nouns)
    const size = pick(r, c.sizes)
    const barcodes = c.unit === 'kg' && r() < 0.5 ? [] : [newCode()]
    if (r() < 0.05) barcodes.push(newCode())
    products.push({
      id: `bp${String(i + 1).padStart(7, '0')}`,
      sku: `SKU${String(100_000 + i)}`,
      nameEn: `${brand[0]} ${desc[0]} ${noun[0]} ${size}`,
      nameZh: `${brand[1]}${desc[1]}${noun[1]} ${size}`,
      categoryId: c.id,
      taxClassId: c.taxClass,
      price: Math.round(int(r, c.price[0], c.price[1]) / 10) * 10,
      unit: c.unit,
      barcodes,
    })
  }
  return { categories, products }
}

export type QueryKind = 'latin prefix (1–3 letters)' | 'latin whole word' | 'chinese (1–3 chars)' | 'sku'

/** What cashiers type into the search box, drawn from the catalog itself. */
export function typedQueries(catalog: CatalogImport, count: number, seed = 7): { kind: QueryKind; text: string }[] {
  const r = rng(seed)
  const out: { kind: QueryKind; text: string }[] = []
  const kinds: QueryKind[] = ['latin prefix (1–3 letters)', 'latin whole word', 'chinese (1–3 chars)', 'sku']
  for (let i = 0; i < count; i++) {
    const p = pick(r, catalog.products)
    const kind = kinds[i % kinds.length] as QueryKind
    const words = p.nameEn.split(/[^A-Za-z]+/).filter((w) => w.length >= 3)
    if (kind === 'latin prefix (1–3 letters)') {
      const w = pick(r, words)
      out.push({ kind, text: w.slice(0, int(r, 1, 3)).toLowerCase() })
    } else if (kind === 'latin whole word') {
      out.push({ kind, text: pick(r, words).toLowerCase() })
    } else if (kind === 'chinese (1–3 chars)') {
      const runs = p.nameZh.match(/[\u4e00-\u9fff]+/gu) ?? ['奶']
      const zh = [...pick(r, runs)]
      const n = Math.min(zh.length, int(r, 1, 3))
      const at = int(r, 0, zh.length - n)
      out.push({ kind, text: zh.slice(at, at + n).join('') })
    } else {
      out.push({ kind, text: p.sku })
    }
  }
  return out
}
